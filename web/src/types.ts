// Shapes of the API answers the UI reads (see /api/v1/openapi.json). Where the API returns the
// server's own records (endpoint model, fabric status, host graph, clears), the UI imports their
// types (type-only: nothing of the server is bundled).
import type { FindingKind, HistoryEvent, Location, NodeLearn } from '../../src/core/types.js';
import type { FabricStatus } from '../../src/fabric/fabric-status.js';
import type { GraphDependency, GraphHost, GraphService, HostSummary } from '../../src/hosts/host-graph.js';
import type { CrossView } from '../../src/hosts/cross-view.js';
import type { ModuleDocument, ModuleName } from '../../src/protocols/agent-report.js';
import type { ClearNodeResult, ClearRecord } from '../../src/store/store.js';
import type { AgentRecord, HostRecord } from '../../src/store/host-store.js';

export type { ClearNodeResult, ClearRecord, FabricStatus, FindingKind, HistoryEvent, Location, NodeLearn };

export type Role = 'admin' | 'viewer';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}


export interface FabricView {
  name: string;
  apic: { urls: string[]; username: string; passwordSet: boolean; verifyTls: boolean; caFile?: string };
  settings: Record<string, unknown>;
  autoStart: boolean;
  simulated: boolean;
  createdTs: number;
  state: string;
}


export type Counts = Record<FindingKind, number>;

export interface FabricSummary {
  fabric: string;
  status: FabricStatus | null;
  endpoints: { total: number; active: number };
  findings: { hour: Counts; day: Counts };
}

export interface EndpointSummary {
  fabric: string;
  vnid: number;
  addr: string;
  type: 'mac' | 'ipv4' | 'ipv6';
  current: Location | null;
  flags: { offsubnet: number[]; stale: number[]; rapidUntil: number };
  deletedTs: number;
  learnCount: number;
  ts: number;
}


export interface FindingRecord {
  fabric: string;
  kind: FindingKind;
  vnid: number;
  addr: string;
  type: string;
  node: number;
  count: number;
  firstTs: number;
  lastTs: number;
  last: { ts: number; node: number; src?: Location; dst?: Location; reason?: string; remote?: number; rate?: number };
  events?: { ts: number; node: number; src?: Location; dst?: Location; reason?: string; rate?: number }[];
}

export interface EndpointDetail extends EndpointSummary {
  learns: NodeLearn[];
  names: { vnid?: string; nodes: Record<string, string>; epg?: string };
  findings: FindingRecord[];
}


export interface FindingItem {
  fabric: string;
  kind: FindingKind;
  vnid: number;
  addr: string;
  type: string;
  node: number;
  count: number;
  firstTs: number;
  lastTs: number;
  details: {
    node: number;
    nodeName?: string;
    ifId?: string;
    encap?: string;
    pcTag?: number;
    epg?: string;
    mac?: string;
    reason?: string;
    remote?: number;
    rate?: number;
    from?: Location;
  };
}

export interface SettingSpec {
  name: string;
  type: 'boolean' | 'integer';
  default: boolean | number;
  min?: number;
  max?: number;
  doc: string;
}

// ---- Hosts (agents): shapes of /api/v1/hosts, /topology, /services, /dependencies, /agents.

export type { CrossView, GraphDependency, GraphHost, GraphService, HostSummary, ModuleDocument, ModuleName };


export interface HostCounts {
  total: number;
  up: number;
  down: number;
  matching: number;
}

export interface HostList extends Page<HostSummary> {
  counts: HostCounts;
}

/** One module of a host: the latest document and its stored versions, newest first. */
export interface HostModule<M extends ModuleName> {
  hash: string;
  ts: number;
  seq: number;
  body: ModuleDocument<M>;
  history: { seq: number; hash: string; ts: number; body: ModuleDocument<M> }[];
}

export interface HostDetail extends HostRecord {
  modules: { [M in ModuleName]?: HostModule<M> };
}

export interface Topology {
  switches: { name: string; ports: string[] }[];
  hosts: GraphHost[];
  links: { hostId: string; nic: string; switchName: string; portId: string; protocol: string }[];
}

/** An agent as the API shows it: its record without the token hash. */
export type AgentView = Omit<AgentRecord, 'tokenHash'>;

export interface IssuedAgent {
  id: string;
  name: string;
  site: string;
  token: string;
  createdTs: number;
}
