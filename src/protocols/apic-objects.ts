// Parsing of APIC REST/websocket payloads and endpoint DNs into ept's model. Pure.
import { normalizeIp, normalizeMac } from '../core/address.js';
import { intern, internFlags } from '../core/intern.js';
import type { Observation, ObservationClass, ObservationStatus } from '../core/types.js';
import { parseEndpointDn } from './endpoint-dn.js';

/** One managed object from an APIC answer. */
export interface ApicObject {
  cls: string;
  attrs: Record<string, string>;
  children?: ApicObject[];
  /**
   * An endpoint object of a websocket frame read straight into its observation (apic-frame.ts):
   * what toObservation gives for it, with fabric '' and ts 0 for the receiver to set. attrs is
   * then empty.
   */
  obs?: Observation;
}

/** A parsed APIC answer (query result or websocket event). */
export interface ApicMessage {
  totalCount?: number;
  subscriptionIds: string[];
  objects: ApicObject[];
  /** imdata[0].error, when the APIC answered an error. */
  error?: { code: string; text: string };
}

/** Why a payload could not be used. */
export interface ParseProblem {
  where: string;
  message: string;
}

/**
 * One imdata entry as an ApicObject, or null with a problem. The entry's place (list[index]) is
 * only spelled out when there is a problem: this runs for every object of every page and event.
 */
function toObject(entry: unknown, list: string, index: number, problems: ParseProblem[]): ApicObject | null {
  if (typeof entry !== 'object' || entry === null) {
    problems.push({ where: `${list}[${index}]`, message: 'imdata entry is not an object' });
    return null;
  }
  let cls: string | undefined;
  let keys = 0;
  for (const k in entry) {
    if (keys++ === 0) cls = k;
  }
  if (keys !== 1 || cls === undefined) {
    problems.push({ where: `${list}[${index}]`, message: `imdata entry must have exactly one class key, has ${keys}` });
    return null;
  }
  const body = (entry as Record<string, unknown>)[cls] as { attributes?: unknown; children?: unknown } | null;
  const attrs = body?.attributes;
  if (typeof attrs !== 'object' || attrs === null) {
    problems.push({ where: `${list}[${index}].${cls}`, message: 'missing attributes' });
    return null;
  }
  const out: ApicObject = { cls, attrs: attrs as Record<string, string> };
  if (Array.isArray(body?.children)) {
    out.children = [];
    const where = `${list}[${index}].${cls}.children`;
    body.children.forEach((c, i) => {
      const o = toObject(c, where, i, problems);
      if (o) out.children?.push(o);
    });
  }
  return out;
}

/**
 * Parses an APIC answer from its text. Malformed parts are reported in problems; the rest is kept.
 * Throws nothing: a payload that is not JSON at all gives an empty message with a problem.
 */
export function parseApicMessage(text: string): { message: ApicMessage; problems: ParseProblem[] } {
  const problems: ParseProblem[] = [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const snippet = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    problems.push({ where: 'payload', message: `not valid JSON (${(err as Error).message}): ${snippet}` });
    return { message: { subscriptionIds: [], objects: [] }, problems };
  }
  return { message: parseApicValue(raw, problems), problems };
}

/** Same as parseApicMessage for an already-decoded value. */
export function parseApicValue(raw: unknown, problems: ParseProblem[]): ApicMessage {
  const message: ApicMessage = { subscriptionIds: [], objects: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ where: 'payload', message: 'top level is not a JSON object' });
    return message;
  }
  const r = raw as { imdata?: unknown; totalCount?: unknown; subscriptionId?: unknown };
  if (r.totalCount !== undefined) message.totalCount = Number(r.totalCount);
  if (Array.isArray(r.subscriptionId)) message.subscriptionIds = r.subscriptionId.map(String);
  else if (typeof r.subscriptionId === 'string') message.subscriptionIds = [r.subscriptionId];
  if (!Array.isArray(r.imdata)) {
    problems.push({ where: 'payload', message: 'imdata is missing or not an array' });
    return message;
  }
  const imdata = r.imdata as unknown[];
  for (let i = 0; i < imdata.length; i++) {
    const o = toObject(imdata[i], 'imdata', i, problems);
    if (!o) continue;
    if (o.cls === 'error') {
      message.error = { code: String(o.attrs['code'] ?? ''), text: String(o.attrs['text'] ?? '') };
    } else {
      message.objects.push(o);
    }
  }
  return message;
}

/** The endpoint classes and the observation class each maps to. */
export const ENDPOINT_CLASSES: Record<string, ObservationClass> = {
  epmMacEp: 'mac',
  epmIpEp: 'ip',
  epmRsMacEpToIpEpAtt: 'binding',
};

export { OVERLAY_VRF_VNID, parseEndpointDn, type EndpointDn } from './endpoint-dn.js';

const BINDING_SEP = '/rsmacEpToIpEpAtt-[';

function parseStatus(s: string | undefined): ObservationStatus {
  return s === 'deleted' ? 'deleted' : s === 'modified' ? 'modified' : 'created';
}

/** A pcTag (16-bit class id); 'any' and '' are 0; NaN when it is not one. */
function parsePcTag(v: string): number {
  if (v === 'any' || v === '') return 0;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : NaN;
}

/**
 * Turns an endpoint object (epmMacEp, epmIpEp, epmRsMacEpToIpEpAtt) into an Observation, or gives
 * the reason it cannot. ts is used when the object carries no usable timestamp.
 */
export function toObservation(
  fabric: string,
  obj: ApicObject,
  ts: number,
): { ok: true; obs: Observation } | { ok: false; reason: string } {
  const cls = ENDPOINT_CLASSES[obj.cls];
  if (!cls) return { ok: false, reason: `not an endpoint class: ${obj.cls}` };
  const a = obj.attrs;
  const dn = a['dn'];
  if (typeof dn !== 'string') return { ok: false, reason: `${obj.cls} without dn` };
  const status = parseStatus(a['status']);
  if (cls === 'binding') {
    const i = dn.indexOf(BINDING_SEP);
    if (i < 0 || !dn.endsWith(']')) return { ok: false, reason: `binding dn does not parse: ${dn}` };
    const macDn = parseEndpointDn(dn.slice(0, i));
    const ipDn = parseEndpointDn(dn.slice(i + BINDING_SEP.length, -1));
    if (!macDn || macDn.kind !== 'mac' || !ipDn || ipDn.kind !== 'ip') {
      return { ok: false, reason: `binding dn does not parse: ${dn}` };
    }
    const mac = normalizeMac(macDn.addr);
    const ip = normalizeIp(ipDn.addr);
    if (!mac || !ip) return { ok: false, reason: `bad address in binding dn: ${dn}` };
    return {
      ok: true,
      obs: {
        fabric, cls, node: macDn.node, vnid: ipDn.vrf, addr: ip, status, ts,
        flags: undefined, ifId: undefined, encap: undefined, pcTag: undefined, bd: macDn.bd, vrf: ipDn.vrf, mac, fromQuery: undefined,
      },
    };
  }
  const p = parseEndpointDn(dn);
  if (!p || p.kind !== (cls === 'mac' ? 'mac' : 'ip')) return { ok: false, reason: `${obj.cls} dn does not parse: ${dn}` };
  const addr = cls === 'mac' ? normalizeMac(p.addr) : normalizeIp(p.addr);
  if (!addr) return { ok: false, reason: `bad address in dn: ${dn}` };
  const live = status !== 'deleted';
  const flags = a['flags'];
  const ifId = a['ifId'];
  const pcTag = a['pcTag'];
  const encap = live && a['encap'] !== undefined && a['encap'] !== '' ? a['encap'] : p.encap;
  const tag = live && pcTag !== undefined ? parsePcTag(pcTag) : undefined;
  if (Number.isNaN(tag)) return { ok: false, reason: `${obj.cls} pcTag is not a 16-bit class id: ${String(pcTag)} (${dn})` };
  // Every observation has every field, in one order: one hidden class for the analyses to see.
  const obs: Observation = {
    fabric,
    cls,
    node: p.node,
    vnid: cls === 'mac' ? p.bd : p.vrf,
    addr,
    status,
    ts,
    flags: live && flags !== undefined ? internFlags(flags) : undefined,
    ifId: live && ifId !== undefined ? intern(ifId) : undefined,
    encap: encap ? intern(encap) : undefined,
    pcTag: tag,
    bd: p.bd || undefined,
    vrf: p.vrf,
    mac: undefined,
    fromQuery: undefined,
  };
  return { ok: true, obs };
}

/** Node id from any topology DN (topology/pod-1/node-101/...), 0 if none. */
export function nodeOfDn(dn: string): number {
  const m = /^topology\/pod-\d+\/node-(\d+)/.exec(dn);
  return m ? Number(m[1]) : 0;
}
