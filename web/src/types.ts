// Shapes of the API answers the UI reads (see /api/v1/openapi.json). The endpoint model and the
// fabric status are the server's own types (type-only imports, nothing of the server is bundled).
import type { FindingKind, HistoryEvent, Location, NodeLearn } from '../../src/core/types.js';
import type { FabricStatus } from '../../src/fabric/fabric-status.js';

export type { FabricStatus, FindingKind, HistoryEvent, Location, NodeLearn };

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
