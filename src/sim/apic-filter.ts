// query-target-filter expressions as the APIC takes them: eq, ne, lt, gt, le, ge, wcard, and, or,
// not, e.g. and(wcard(epmMacEp.dn,"/node-101/"),eq(epmMacEp.addr,"00:50:56:01:02:03")).

/** A parsed filter. */
export type FilterExpr =
  | { op: 'and' | 'or'; args: FilterExpr[] }
  | { op: 'not'; args: [FilterExpr] }
  | { op: 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'wcard'; cls: string; attr: string; value: string; re?: RegExp };

const CMP_OPS = new Set(['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'wcard']);

/** Parses a filter; throws an Error naming the position on bad syntax. */
export function parseFilter(text: string): FilterExpr {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new Error(`query-target-filter: ${msg} at position ${pos} in ${text}`);
  };
  const ws = (): void => {
    while (text[pos] === ' ') pos++;
  };
  const ident = (): string => {
    ws();
    const m = /^[A-Za-z_][\w.]*/.exec(text.slice(pos));
    if (!m) return fail('expected a name');
    pos += m[0].length;
    return m[0];
  };
  const expect = (c: string): void => {
    ws();
    if (text[pos] !== c) fail(`expected '${c}'`);
    pos++;
  };
  const value = (): string => {
    ws();
    if (text[pos] === '"') {
      const end = text.indexOf('"', pos + 1);
      if (end < 0) fail('unterminated string');
      const v = text.slice(pos + 1, end);
      pos = end + 1;
      return v;
    }
    const m = /^[^,)]*/.exec(text.slice(pos));
    pos += m?.[0].length ?? 0;
    return (m?.[0] ?? '').trim();
  };
  const expr = (): FilterExpr => {
    const op = ident();
    expect('(');
    if (op === 'and' || op === 'or' || op === 'not') {
      const args: FilterExpr[] = [expr()];
      ws();
      while (text[pos] === ',') {
        pos++;
        args.push(expr());
        ws();
      }
      expect(')');
      if (op === 'not') {
        if (args.length !== 1) fail('not() takes one argument');
        return { op, args: [args[0] as FilterExpr] };
      }
      return { op, args };
    }
    if (!CMP_OPS.has(op)) fail(`unknown operator ${op}`);
    const ref = ident();
    const dot = ref.lastIndexOf('.');
    if (dot < 0) fail(`expected <class>.<attribute>, got ${ref}`);
    expect(',');
    const v = value();
    expect(')');
    const node = { op, cls: ref.slice(0, dot), attr: ref.slice(dot + 1), value: v } as FilterExpr & { re?: RegExp };
    if (op === 'wcard') {
      try {
        node.re = new RegExp(v);
      } catch {
        node.re = new RegExp(v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      }
    }
    return node;
  };
  const out = expr();
  ws();
  if (pos !== text.length) fail('trailing text');
  return out;
}

/** Evaluates a filter against an object of class cls (terms on other classes do not match). */
export function evalFilter(f: FilterExpr, cls: string, attrs: Record<string, string>): boolean {
  switch (f.op) {
    case 'and':
      return f.args.every((a) => evalFilter(a, cls, attrs));
    case 'or':
      return f.args.some((a) => evalFilter(a, cls, attrs));
    case 'not':
      return !evalFilter(f.args[0], cls, attrs);
    case 'eq':
    case 'ne':
    case 'lt':
    case 'gt':
    case 'le':
    case 'ge':
    case 'wcard': {
      if (f.cls !== cls) return false;
      const v = attrs[f.attr];
      if (v === undefined) return f.op === 'ne';
      switch (f.op) {
        case 'eq':
          return v === f.value;
        case 'ne':
          return v !== f.value;
        case 'wcard':
          return f.re ? f.re.test(v) : v.includes(f.value);
        case 'lt':
        case 'gt':
        case 'le':
        case 'ge':
          return compare(f.op, v, f.value);
      }
    }
  }
}

function compare(op: 'lt' | 'gt' | 'le' | 'ge', a: string, b: string): boolean {
  const na = Number(a);
  const nb = Number(b);
  const c = Number.isFinite(na) && Number.isFinite(nb) && a !== '' && b !== '' ? na - nb : a < b ? -1 : a > b ? 1 : 0;
  return op === 'lt' ? c < 0 : op === 'gt' ? c > 0 : op === 'le' ? c <= 0 : c >= 0;
}

/** What a filter says about the endpoint objects it can match, for a fast pre-selection. */
export interface FilterHint {
  /** Only objects on these nodes can match (null: any). */
  nodes: Set<number> | null;
  /** Only objects of hosts with one of these addresses can match (null: any). */
  addrs: string[] | null;
  /** True when the hint is the whole filter: every pre-selected object matches. */
  exact: boolean;
}

const NODE_ONLY = /^\/?(?:topology\/pod-\d+\/)?node-(\d+)\/$/;
const NODE_IN = /(?:^|\/)node-(\d+)\//;

/** Derives the pre-selection hint of a filter for an endpoint class. */
export function filterHint(f: FilterExpr | null, cls: string): FilterHint {
  if (!f) return { nodes: null, addrs: null, exact: true };
  switch (f.op) {
    case 'and': {
      const hs = f.args.map((a) => filterHint(a, cls));
      let nodes: Set<number> | null = null;
      let addrs: string[] | null = null;
      for (const h of hs) {
        const hn = h.nodes;
        const ha = h.addrs;
        if (hn) nodes = nodes ? new Set<number>([...nodes].filter((n: number) => hn.has(n))) : hn;
        if (ha) addrs = addrs ? addrs.filter((a) => ha.includes(a)) : ha;
      }
      return { nodes, addrs, exact: hs.every((h) => h.exact) };
    }
    case 'or': {
      const hs = f.args.map((a) => filterHint(a, cls));
      const allNodes = hs.every((h) => h.nodes && !h.addrs);
      const allAddrs = hs.every((h) => h.addrs && !h.nodes);
      return {
        nodes: allNodes ? new Set(hs.flatMap((h) => [...(h.nodes ?? [])])) : null,
        addrs: allAddrs ? hs.flatMap((h) => h.addrs ?? []) : null,
        exact: (allNodes || allAddrs) && hs.every((h) => h.exact),
      };
    }
    case 'not':
      return { nodes: null, addrs: null, exact: false };
    case 'eq':
    case 'ne':
    case 'lt':
    case 'gt':
    case 'le':
    case 'ge':
    case 'wcard': {
      if (f.cls !== cls) return { nodes: new Set(), addrs: null, exact: true };
      if (f.attr === 'dn' && (f.op === 'wcard' || f.op === 'eq')) {
        const only = f.op === 'wcard' ? NODE_ONLY.exec(f.value) : null;
        if (only) return { nodes: new Set([Number(only[1])]), addrs: null, exact: true };
        const m = NODE_IN.exec(f.value);
        if (m) return { nodes: new Set([Number(m[1])]), addrs: null, exact: false };
      }
      if (f.attr === 'addr' && f.op === 'eq') {
        // The binding class has no addr attribute, so the term matches none of its objects.
        if (cls === 'epmRsMacEpToIpEpAtt') return { nodes: new Set(), addrs: null, exact: true };
        return { nodes: null, addrs: [f.value], exact: true };
      }
      return { nodes: null, addrs: null, exact: false };
    }
  }
}
