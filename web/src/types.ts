// Shapes of the API answers the UI reads (see /api/v1/openapi.json).

export type Role = 'admin' | 'viewer';
export type FindingKind = 'move' | 'offsubnet' | 'stale' | 'rapid';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Location {
  node: number;
  ifId: string;
  encap: string;
  pcTag: number;
  rwMac: string;
  rwBd: number;
  ts: number;
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

export interface FabricStatus {
  fabric: string;
  state: 'stopped' | 'building' | 'running' | 'resyncing' | 'error';
  simulated: boolean;
  build: { classes: Record<string, { read: number; total: number; done: boolean }>; startedTs: number; finishedTs: number | null } | null;
  lastError: { ts: number; message: string } | null;
  subscription: { connected: boolean; apic: string | null; subscriptions: number; lastEventTs: number | null; reconnects: number };
  eventRate: number;
  eventsReceived: number;
  eventsProcessed: number;
  parseErrors: number;
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

export interface NodeLearn {
  node: number;
  present: boolean;
  flags: string[];
  ifId: string;
  encap: string;
  pcTag: number;
  bd: number;
  vrf: number;
  rwMac: string;
  rwBd: number;
  remote: number;
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

export interface HistoryEvent {
  node: number;
  status: 'created' | 'modified' | 'deleted';
  ts: number;
  flags: string[];
  ifId: string;
  encap: string;
  pcTag: number;
  rwMac: string;
  rwBd: number;
  remote: number;
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
