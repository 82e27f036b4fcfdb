// Decoding one page of an endpoint class query (epmMacEp, epmIpEp, epmRsMacEpToIpEpAtt) into
// observations: the JSON, the objects, their DNs and addresses. It is most of the main thread's
// work in a fabric's build (JSON.parse alone ~12 %, and most of the young garbage), so the build
// runs it in a thread of its own (page-decoder.ts) and receives the observations as columns.
import { EptError, type ErrorCode } from '../core/errors.js';
import { flagsText, intern, internFlags } from '../core/intern.js';
import type { Observation, ObservationClass, ObservationStatus } from '../core/types.js';
import { toObservation, type ParseProblem } from '../protocols/apic-objects.js';
import { parseQueryPage } from './apic-query.js';

/** An object of the page that is not a usable endpoint (where: its dn or class; the reason). */
export interface RejectedObject {
  where: string;
  reason: string;
}

/** A decoded page: its observations and what could not be used. */
export interface EndpointPage {
  observations: Observation[];
  /** Entries of the page that did not parse (the rest of the page is kept). */
  problems: ParseProblem[];
  rejected: RejectedObject[];
  /** totalCount announced by the APIC. */
  totalCount: number;
  /** Entries the page held, parsed or not (what the page size counts). */
  entries: number;
}

/**
 * Decodes a page of an endpoint class query. A page that is not a usable APIC answer (not JSON, no
 * imdata, no totalCount, an APIC error) throws EptError naming the URL and the reason.
 */
export function decodeEndpointPage(fabric: string, url: string, text: string, ts: number): EndpointPage {
  const { objects, problems, totalCount, entries } = parseQueryPage(url, text);
  const observations: Observation[] = [];
  const rejected: RejectedObject[] = [];
  for (const o of objects) {
    const r = toObservation(fabric, o, ts);
    if (!r.ok) {
      rejected.push({ where: o.attrs['dn'] ?? o.cls, reason: r.reason });
      continue;
    }
    r.obs.fromQuery = true;
    observations.push(r.obs);
  }
  return { observations, problems, rejected, totalCount, entries };
}

// ---- the page as columns, to cross between threads ----

/** Numbers per observation: class, node, vnid, status, ts, pcTag, bd, vrf, flags, ifId, encap. */
const NUMS = 11;
const CLASSES: readonly ObservationClass[] = ['mac', 'ip', 'binding'];
const STATUSES: readonly ObservationStatus[] = ['created', 'modified', 'deleted'];

/**
 * A decoded page in a form that is cheap to post to another thread: the observations' numbers in a
 * Float64Array (moved, not copied), their addresses and binding MACs as string lists, and the few
 * distinct flag, interface and encap texts once each. A missing value is NaN (numbers) or -1
 * (texts). fromQuery is set on every observation.
 */
export interface EndpointPageColumns {
  fabric: string;
  nums: Float64Array;
  addrs: string[];
  /** Per observation: the binding's MAC, or '' for none. */
  macs: string[];
  texts: string[];
  problems: ParseProblem[];
  rejected: RejectedObject[];
  totalCount: number;
  entries: number;
}

/** The page as columns (the observations must all be of one fabric and from a query). */
export function toColumns(fabric: string, page: EndpointPage): EndpointPageColumns {
  const obs = page.observations;
  const nums = new Float64Array(obs.length * NUMS);
  const addrs = new Array<string>(obs.length);
  const macs = new Array<string>(obs.length);
  const texts: string[] = [];
  const ids = new Map<string, number>();
  const text = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let id = ids.get(s);
    if (id === undefined) {
      id = texts.length;
      texts.push(s);
      ids.set(s, id);
    }
    return id;
  };
  for (let i = 0, o = 0; i < obs.length; i++, o += NUMS) {
    const x = obs[i] as Observation;
    nums[o] = CLASSES.indexOf(x.cls);
    nums[o + 1] = x.node;
    nums[o + 2] = x.vnid;
    nums[o + 3] = STATUSES.indexOf(x.status);
    nums[o + 4] = x.ts;
    nums[o + 5] = x.pcTag ?? NaN;
    nums[o + 6] = x.bd ?? NaN;
    nums[o + 7] = x.vrf ?? NaN;
    nums[o + 8] = x.flags === undefined ? -1 : text(flagsText(x.flags));
    nums[o + 9] = text(x.ifId);
    nums[o + 10] = text(x.encap);
    addrs[i] = x.addr;
    macs[i] = x.mac ?? '';
  }
  return { fabric, nums, addrs, macs, texts, problems: page.problems, rejected: page.rejected, totalCount: page.totalCount, entries: page.entries };
}

/** The page back from columns, with this thread's interned flag lists and names. */
export function fromColumns(c: EndpointPageColumns): EndpointPage {
  const n = c.addrs.length;
  const observations = new Array<Observation>(n);
  const flags = c.texts.map((t) => internFlags(t));
  const names = c.texts.map((t) => intern(t));
  // `| 0`: a number read from a Float64Array is a double; kept as one, an endpoint's vnid or node
  // would be a boxed number in every state that copies it (16 bytes per endpoint key, measured).
  // All of these are small integers (node 16-bit, vnids 24-bit, pcTag 16-bit).
  const num = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v | 0);
  for (let i = 0, o = 0; i < n; i++, o += NUMS) {
    const m = c.nums;
    const f = m[o + 8] as number;
    const ifId = m[o + 9] as number;
    const encap = m[o + 10] as number;
    const mac = c.macs[i] as string;
    // Every field, in toObservation's order: one hidden class for the analyses to see.
    observations[i] = {
      fabric: c.fabric,
      cls: CLASSES[m[o] as number] as ObservationClass,
      node: (m[o + 1] as number) | 0,
      vnid: (m[o + 2] as number) | 0,
      addr: c.addrs[i] as string,
      status: STATUSES[m[o + 3] as number] as ObservationStatus,
      ts: m[o + 4] as number,
      flags: f < 0 ? undefined : flags[f],
      ifId: ifId < 0 ? undefined : names[ifId],
      encap: encap < 0 ? undefined : names[encap],
      pcTag: num(m[o + 5] as number),
      bd: num(m[o + 6] as number),
      vrf: num(m[o + 7] as number),
      mac: mac === '' ? undefined : mac,
      fromQuery: true,
    };
  }
  return { observations, problems: c.problems, rejected: c.rejected, totalCount: c.totalCount, entries: c.entries };
}

/** An EptError as it crosses a thread (a thrown error loses its class and fields on the way). */
export interface PortableError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export function toPortableError(err: unknown): PortableError {
  if (err instanceof EptError) return { code: err.code, message: err.message, details: err.details };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export function fromPortableError(e: PortableError): EptError {
  return new EptError(e.code, e.message, e.details);
}
