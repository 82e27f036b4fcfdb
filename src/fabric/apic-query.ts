// Class queries against the APIC, streamed page by page so a class of a million objects is never
// held in memory at once, and class subscriptions.
import { EptError } from '../core/errors.js';
import { parseApicMessage, type ApicObject, type ParseProblem } from '../protocols/apic-objects.js';
import type { ApicGetter } from './apic-session.js';

/**
 * Objects per page. EPT used 75 000; ept reads 10 000: every object of a page is parsed at once and
 * lives until the page is analysed, so a 75 000-object page (~30 MB of JSON) pushes ~100 MB of
 * short-lived objects into the old generation, and at a million endpoints the garbage collector,
 * not the APIC, set the pace (bench/RESULTS.md: build 165 s -> 114 s at 1M keys). 400 requests
 * for 4M learns is still few.
 */
export const DEFAULT_PAGE_SIZE = 10_000;

export interface ClassQueryOptions {
  /** Objects per page (default DEFAULT_PAGE_SIZE). */
  pageSize?: number;
  /** query-target-filter expression, e.g. wcard(epmMacEp.dn,"/node-101/"). */
  filter?: string;
  /** Aborts the query between and during pages. */
  signal?: AbortSignal;
}

/** One page of a class query. */
export interface QueryPage {
  cls: string;
  /** Page number, from 0. */
  page: number;
  objects: ApicObject[];
  /** totalCount announced by the APIC. */
  totalCount: number;
  /** Objects read so far, this page included. */
  read: number;
  /** Entries of this page that did not parse (the rest of the page is kept). */
  problems: ParseProblem[];
  url: string;
}

/** The path of a class query. */
export function classQueryPath(cls: string, params: Record<string, string | number>): string {
  const q = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `/api/class/${cls}.json?${q}`;
}

/**
 * Reads a class ordered by dn, one page at a time. A page that is not a usable APIC answer (not
 * JSON, no imdata, no totalCount) throws EptError('parse_error') with its URL and the reason.
 */
export async function* queryClass(apic: ApicGetter, cls: string, opts: ClassQueryOptions = {}): AsyncGenerator<QueryPage> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  let read = 0;
  for (let page = 0; ; page++) {
    opts.signal?.throwIfAborted();
    const params: Record<string, string | number> = { 'page-size': pageSize, page, 'order-by': `${cls}.dn` };
    if (opts.filter) params['query-target-filter'] = opts.filter;
    const url = classQueryPath(cls, params);
    const { objects, totalCount, problems } = parsePage(url, await apic.get(url, opts.signal));
    // Entries that did not parse still took a slot of the page.
    const entries = objects.length + problems.filter((p) => !p.where.includes('.children[')).length;
    read += entries;
    yield { cls, page, objects, totalCount, read, problems, url };
    // Short page or everything announced read: done. A class that shrinks while it is paged ends
    // early, one that grows is finished by its events.
    if (entries < pageSize || read >= totalCount) return;
  }
}

function parsePage(url: string, text: string): { objects: ApicObject[]; totalCount: number; problems: ParseProblem[] } {
  const { message, problems } = parseApicMessage(text);
  const fatal = problems.find((p) => p.where === 'payload');
  if (fatal) throw new EptError('parse_error', `${url}: malformed page: ${fatal.message}`, { url });
  if (message.error) {
    throw new EptError('apic_error', `${url}: APIC error ${message.error.code}: ${message.error.text}`, { url, ...message.error });
  }
  const totalCount = message.totalCount;
  if (totalCount === undefined || !Number.isFinite(totalCount)) {
    throw new EptError('parse_error', `${url}: malformed page: totalCount missing or not a number`, { url });
  }
  return { objects: message.objects, totalCount, problems };
}

/** A subscription opened on a class. */
export interface ClassSubscription {
  cls: string;
  subscriptionId: string;
}

/**
 * Subscribes to a class (subscription=yes). Only one object is fetched: the current content is read
 * separately, page by page, after the subscription exists, so no change falls between the two.
 */
export async function subscribeClass(apic: ApicGetter, cls: string, opts: { filter?: string; signal?: AbortSignal } = {}): Promise<ClassSubscription> {
  const params: Record<string, string | number> = { 'subscription': 'yes', 'page-size': 1, 'page': 0 };
  if (opts.filter) params['query-target-filter'] = opts.filter;
  const url = classQueryPath(cls, params);
  const text = await apic.get(url, opts.signal);
  const { message, problems } = parseApicMessage(text);
  const fatal = problems.find((p) => p.where === 'payload' && !p.message.startsWith('imdata'));
  if (fatal) throw new EptError('parse_error', `${url}: malformed subscription answer: ${fatal.message}`, { url });
  if (message.error) {
    throw new EptError('apic_error', `${url}: APIC error ${message.error.code}: ${message.error.text}`, { url, ...message.error });
  }
  const id = message.subscriptionIds[0];
  if (!id) throw new EptError('parse_error', `${url}: the answer carries no subscriptionId`, { url });
  return { cls, subscriptionId: id };
}
