// APIC class and MO queries against the simulator's model: URL parsing, filters, scope, order-by
// and paging. Endpoint classes are never materialised: pages are rendered host by host.
import { TABLE_CLASSES, parentDn } from '../core/fabric-tables.js';
import { type FilterExpr, evalFilter, filterHint, parseFilter } from './apic-filter.js';
import { EP_CLASSES, type EpClass, isEpClass, renderedEntry } from './endpoint-render.js';
import type { FabricModel } from './fabric-model.js';
import type { SimMo } from './fabric-topology.js';

/** A parsed /api/class or /api/mo request. */
export interface ApicQuery {
  kind: 'class' | 'mo';
  /** Class name (class query) or DN (mo query). */
  target: string;
  pageSize: number | null;
  page: number;
  orderBy: { attr: string; desc: boolean }[];
  queryTarget: 'self' | 'children' | 'subtree';
  subtreeClasses: string[] | null;
  filter: FilterExpr | null;
  subscription: boolean;
  /** refresh-timeout (seconds) asked for the subscription, null when absent. */
  refreshTimeout: number | null;
}

/** A request the APIC would refuse: its HTTP status, APIC code and text. */
export class ApicQueryError extends Error {
  constructor(
    readonly status: number,
    readonly apicCode: string,
    message: string,
  ) {
    super(message);
  }
}

const OTHER_CLASSES = ['fvTenant', 'fvAp', 'firmwareCtrlrRunning', 'fabricPod', 'infraWiNode'];
const KNOWN = new Set<string>([...TABLE_CLASSES, ...EP_CLASSES, ...OTHER_CLASSES]);

function int(params: URLSearchParams, name: string, min: number): number | null {
  const v = params.get(name);
  if (v === null) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ApicQueryError(400, '400', `Request failed, invalid ${name}: ${v}`);
  return n;
}

/** Parses the path (after /api/) and query string of a class or mo request. */
export function parseQuery(path: string, params: URLSearchParams): ApicQuery {
  const m = /^(class|mo)\/(.+)\.json$/.exec(path);
  if (!m) throw new ApicQueryError(400, '400', `Request failed, unsupported path /api/${path}`);
  const kind = m[1] as 'class' | 'mo';
  const target = decodeURIComponent(m[2] ?? '');
  if (kind === 'class' && !KNOWN.has(target)) throw new ApicQueryError(400, '122', `unknown managed object class ${target}`);
  const qt = params.get('query-target') ?? 'self';
  if (qt !== 'self' && qt !== 'children' && qt !== 'subtree') throw new ApicQueryError(400, '400', `Request failed, invalid query-target ${qt}`);
  const tsc = params.get('target-subtree-class');
  let filter: FilterExpr | null = null;
  const f = params.get('query-target-filter');
  if (f) {
    try {
      filter = parseFilter(f);
    } catch (err) {
      throw new ApicQueryError(400, '107', (err as Error).message);
    }
  }
  const orderBy = (params.get('order-by') ?? '')
    .split(',')
    .filter(Boolean)
    .map((o) => {
      const [ref = '', dir] = o.split('|');
      return { attr: ref.slice(ref.lastIndexOf('.') + 1), desc: dir === 'desc' };
    });
  return {
    kind,
    target,
    pageSize: int(params, 'page-size', 1),
    page: int(params, 'page', 0) ?? 0,
    orderBy,
    queryTarget: qt,
    subtreeClasses: tsc ? tsc.split(',').filter(Boolean) : null,
    filter,
    subscription: params.get('subscription') === 'yes',
    refreshTimeout: int(params, 'refresh-timeout', 1),
  };
}

/** One class's share of an answer: a count and a way to render a slice of it. */
interface Part {
  count: number;
  page(offset: number, limit: number, visit: (mo: SimMo) => void): void;
}

function listPart(list: SimMo[]): Part {
  return { count: list.length, page: (o, l, visit) => list.slice(o, o + l).forEach(visit) };
}

/** Predicate on DNs for children/subtree scopes. */
type DnScope = ((dn: string) => boolean) | null;

/** Per model and (class, nodes): object count and the host where the last page ended. */
interface ClassMemo {
  version: number;
  count: number;
  /** A host index and the objects of the class before it (a resume point for the next page). */
  k: number;
  seen: number;
}

const classMemos = new WeakMap<FabricModel, Map<string, ClassMemo>>();

function classMemo(model: FabricModel, key: string): ClassMemo {
  let byKey = classMemos.get(model);
  if (!byKey) classMemos.set(model, (byKey = new Map()));
  let m = byKey.get(key);
  if (!m || m.version !== model.version) byKey.set(key, (m = { version: model.version, count: -1, k: 0, seen: 0 }));
  return m;
}

function endpointPart(model: FabricModel, cls: EpClass, filter: FilterExpr | null, scope: DnScope, scopeNode: number): Part {
  const hint = filterHint(filter, cls);
  let nodes = hint.nodes;
  if (scopeNode) nodes = nodes ? new Set([...nodes].filter((n) => n === scopeNode)) : new Set([scopeNode]);
  const candidates: number[] | null = hint.addrs ? [...new Set(hint.addrs.flatMap((a) => model.findHosts(a)))].sort((a, b) => a - b) : null;
  const total = candidates ? candidates.length : model.total;
  const at = (k: number): number => (candidates ? (candidates[k] ?? -1) : k);
  if (hint.exact && !scope) {
    // A whole-class read is paged by many requests: its count and where the last page ended are
    // kept until the model changes, so each page costs its own objects, not a walk from host 0.
    const memo = candidates ? null : classMemo(model, `${cls}|${nodes ? [...nodes].sort((a, b) => a - b).join(',') : '*'}`);
    let count = memo?.count ?? -1;
    if (count < 0) {
      count = 0;
      for (let k = 0; k < total; k++) count += model.countObjects(at(k), cls, nodes);
      if (memo) memo.count = count;
    }
    return {
      count,
      page(offset, limit, visit) {
        let seen = 0;
        let k = 0;
        if (memo && memo.seen <= offset) {
          k = memo.k;
          seen = memo.seen;
        }
        for (; k < total; k++) {
          const c = model.countObjects(at(k), cls, nodes);
          if (seen + c > offset) break;
          seen += c;
        }
        let skip = offset - seen;
        let left = limit;
        for (; k < total && left > 0; k++) {
          if (memo) {
            memo.k = k;
            memo.seen = seen;
          }
          seen += model.countObjects(at(k), cls, nodes);
          model.renderObjects(at(k), cls, nodes, (mo) => {
            if (skip > 0) skip--;
            else {
              visit(mo);
              left--;
            }
            return left > 0;
          });
        }
      },
    };
  }
  // A general filter: every pre-selected object is rendered and tested.
  const scan = (visit: (mo: SimMo) => boolean): void => {
    for (let k = 0; k < total; k++) {
      if (model.countObjects(at(k), cls, nodes) === 0) continue;
      const go = model.renderObjects(at(k), cls, nodes, (mo) => {
        if (scope && !scope(mo.attrs['dn'] ?? '')) return true;
        if (filter && !evalFilter(filter, cls, mo.attrs)) return true;
        return visit(mo);
      });
      if (!go) return;
    }
  };
  let count = 0;
  scan(() => {
    count++;
    return true;
  });
  return {
    count,
    page(offset, limit, visit) {
      let i = 0;
      scan((mo) => {
        if (i++ >= offset) visit(mo);
        return i < offset + limit;
      });
    },
  };
}

function staticCandidates(model: FabricModel, cls: string, scopeNode: number): SimMo[] {
  if (cls !== 'tunnelIf') return [...model.staticObjects(cls)];
  const out: SimMo[] = [];
  for (let n = 0; n < model.topo.tunnelTotal; n++) {
    const mo = model.topo.tunnelAt(n);
    if (!scopeNode || (mo.attrs['dn'] ?? '').startsWith(`topology/pod-1/node-${scopeNode}/`)) out.push(mo);
  }
  return out;
}

function staticPart(model: FabricModel, cls: string, q: ApicQuery, scope: DnScope, scopeNode: number): Part {
  const list = staticCandidates(model, cls, scopeNode).filter(
    (mo) => (!scope || scope(mo.attrs['dn'] ?? '')) && (!q.filter || evalFilter(q.filter, cls, mo.attrs)),
  );
  if (q.orderBy.length > 0) {
    list.sort((a, b) => {
      for (const o of q.orderBy) {
        const x = a.attrs[o.attr] ?? '';
        const y = b.attrs[o.attr] ?? '';
        if (x !== y) return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
      }
      return 0;
    });
  }
  return listPart(list);
}

/** Classes and DN scope a query covers. */
function plan(model: FabricModel, q: ApicQuery): { classes: string[]; scope: DnScope; scopeNode: number } {
  const node = Number(/^topology\/pod-\d+\/node-(\d+)(?:\/|$)/.exec(q.target)?.[1] ?? 0);
  if (q.kind === 'class') {
    if (q.queryTarget === 'self') return { classes: [q.target], scope: null, scopeNode: 0 };
    const parents = new Set(model.staticObjects(q.target).map((m) => m.attrs['dn'] ?? ''));
    const classes = q.subtreeClasses ?? [...new Set(model.topo.objects.map((m) => m.cls))];
    const scope: DnScope =
      q.queryTarget === 'children'
        ? (dn) => parents.has(parentDn(dn))
        : (dn) => {
            for (let d = dn; d; d = parentDn(d)) if (parents.has(d)) return true;
            return false;
          };
    return { classes: classes.filter((c) => !isEpClass(c)), scope, scopeNode: 0 };
  }
  if (q.queryTarget === 'self') return { classes: [], scope: (dn) => dn === q.target, scopeNode: node };
  const classes = q.subtreeClasses ?? [...new Set([...model.topo.objects.map((m) => m.cls), 'tunnelIf'])];
  const prefix = `${q.target}/`;
  const scope: DnScope = q.queryTarget === 'children' ? (dn) => parentDn(dn) === q.target : (dn) => dn === q.target || dn.startsWith(prefix);
  return { classes, scope, scopeNode: node };
}

function moSelf(model: FabricModel, dn: string, node: number): SimMo[] {
  const s = model.topo.byDn.get(dn);
  if (s) return [s];
  if (!node) return [];
  if (dn.includes('/sys/tunnel-[')) return staticCandidates(model, 'tunnelIf', node).filter((m) => m.attrs['dn'] === dn);
  const addr = /\/(?:mac-([0-9a-f:]+)|ip-\[([^\]]+)\])(?:\/rsmacEpToIpEpAtt-\[.*\])?$/.exec(dn);
  const out: SimMo[] = [];
  const key = addr?.[1] ?? addr?.[2];
  if (!key) return out;
  const cls: EpClass = dn.includes('/rsmacEpToIpEpAtt-[') ? 'epmRsMacEpToIpEpAtt' : addr?.[1] ? 'epmMacEp' : 'epmIpEp';
  for (const i of model.findHosts(key)) {
    model.renderObjects(i, cls, new Set([node]), (mo) => {
      if (mo.attrs['dn'] === dn) out.push(mo);
      return true;
    });
  }
  return out;
}

/** Runs a query: the total count and a function rendering the requested page. */
export function runQuery(model: FabricModel, q: ApicQuery): { total: number; page(visit: (mo: SimMo) => void): void } {
  const p = plan(model, q);
  const parts: Part[] =
    q.kind === 'mo' && q.queryTarget === 'self'
      ? [listPart(moSelf(model, q.target, p.scopeNode).filter((mo) => !q.filter || evalFilter(q.filter, mo.cls, mo.attrs)))]
      : p.classes.map((c) => (isEpClass(c) ? endpointPart(model, c, q.filter, p.scope, p.scopeNode) : staticPart(model, c, q, p.scope, p.scopeNode)));
  const total = parts.reduce((s, x) => s + x.count, 0);
  const size = q.pageSize ?? Number.MAX_SAFE_INTEGER;
  return {
    total,
    page(visit) {
      let offset = q.page * size;
      let left = size;
      for (const part of parts) {
        if (left <= 0) break;
        if (offset >= part.count) {
          offset -= part.count;
          continue;
        }
        const n = Math.min(left, part.count - offset);
        part.page(offset, n, visit);
        left -= n;
        offset = 0;
      }
    },
  };
}

/** Serialises one object as an imdata entry. */
export function imdataEntry(mo: SimMo): string {
  return renderedEntry(mo) ?? `{"${mo.cls}":{"attributes":${JSON.stringify(mo.attrs)}}}`;
}
