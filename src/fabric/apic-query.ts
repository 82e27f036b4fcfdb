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

/** One page as a decoder returns it: its content, its entries (parsed or not) and totalCount. */
export interface DecodedPage<T> {
  value: T;
  entries: number;
  totalCount: number;
}

/** A page of a paged query, decoded. */
export interface PageOf<T> {
  value: T;
  /** Page number, from 0. */
  page: number;
  totalCount: number;
  /** Entries read so far, this page included. */
  read: number;
  url: string;
}

/** A page's answer: its text, or its bytes (UTF-8) where the getter gives them. */
export type PageBody = string | Buffer;

/** A page's answer as text. */
export function bodyText(body: PageBody): string {
  return typeof body === 'string' ? body : body.toString('utf8');
}

/** Pages asked for ahead of the one being read (see pagedQuery). */
export const PAGES_AHEAD = 2;

/** A page asked for: its number and its decoded answer, on the way. */
interface Asked<T> {
  page: number;
  result: Promise<DecodedPage<T>>;
}

/**
 * Reads a class ordered by dn, one page at a time, each decoded by decode (given the time the page
 * was asked for). Stops after a short page or once totalCount entries are read.
 *
 * Once totalCount is known, up to PAGES_AHEAD pages that should exist are asked for and decoded
 * ahead of the one the caller reads: the APIC prepares the next pages and the decoder decodes them
 * while the caller analyses this one, instead of each waiting for the other (a 1M-endpoint build
 * waited for pages all the time it read endpoints; bench/RESULTS.md, session 5). A page asked for
 * ahead that is not needed after all (the class shrank, an error) is dropped.
 */
export async function* pagedQuery<T>(
  apic: ApicGetter,
  cls: string,
  opts: ClassQueryOptions,
  decode: (url: string, body: PageBody, askedTs: number) => DecodedPage<T> | Promise<DecodedPage<T>>,
  now: () => number = Date.now,
): AsyncGenerator<PageOf<T>> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const urlOf = (page: number): string => {
    const params: Record<string, string | number> = { 'page-size': pageSize, page, 'order-by': `${cls}.dn` };
    if (opts.filter) params['query-target-filter'] = opts.filter;
    return classQueryPath(cls, params);
  };
  const inFlight: Asked<T>[] = [];
  let asked = 0;
  const ask = (): void => {
    const page = asked++;
    const url = urlOf(page);
    const ts = now();
    const body: Promise<PageBody> = apic.getBody ? apic.getBody(url, opts.signal) : apic.get(url, opts.signal);
    const result = body.then((b) => decode(url, b, ts));
    // A page asked for ahead and never read (an error or an abort first) must not surface as an
    // unhandled rejection; the reader of a page still sees its outcome.
    result.catch(() => undefined);
    inFlight.push({ page, result });
  };
  let read = 0;
  ask();
  for (;;) {
    opts.signal?.throwIfAborted();
    const head = inFlight.shift() as Asked<T>;
    // The page is made by a call so that this generator holds no reference to its content while
    // it is suspended: the consumer analyses the page meanwhile, and parsed objects kept alive that
    // long are copied by every young-generation collection and promoted (bench/RESULTS.md, session 5).
    const { entries, totalCount, out } = pageOf(head.page, urlOf(head.page), read, await head.result);
    read += entries;
    // Short page or everything announced read: done. A class that shrinks while it is paged ends
    // early, one that grows is finished by its events.
    const done = entries < pageSize || read >= totalCount;
    if (!done) {
      if (inFlight.length === 0) ask();
      // Pages the count says exist.
      while (inFlight.length < PAGES_AHEAD && asked * pageSize < totalCount) ask();
    }
    yield out;
    if (done) return;
  }
}

function pageOf<T>(page: number, url: string, readBefore: number, d: DecodedPage<T>): { entries: number; totalCount: number; out: PageOf<T> } {
  return { entries: d.entries, totalCount: d.totalCount, out: { value: d.value, page, totalCount: d.totalCount, read: readBefore + d.entries, url } };
}

/**
 * Reads a class ordered by dn, one page at a time. A page that is not a usable APIC answer (not
 * JSON, no imdata, no totalCount) throws EptError('parse_error') with its URL and the reason.
 */
export async function* queryClass(apic: ApicGetter, cls: string, opts: ClassQueryOptions = {}): AsyncGenerator<QueryPage> {
  for await (const p of pagedQuery(apic, cls, opts, parsedPage)) {
    yield { cls, page: p.page, objects: p.value.objects, totalCount: p.totalCount, read: p.read, problems: p.value.problems, url: p.url };
  }
}

function parsedPage(url: string, body: PageBody): DecodedPage<{ objects: ApicObject[]; problems: ParseProblem[] }> {
  const { objects, totalCount, problems, entries } = parseQueryPage(url, bodyText(body));
  return { value: { objects, problems }, entries, totalCount };
}

/**
 * Parses one page of a class query. A page that is not a usable APIC answer (not JSON, no imdata,
 * no totalCount, an APIC error) throws EptError naming the URL and the reason; entries that do not
 * parse are problems, the rest of the page is kept.
 */
export function parseQueryPage(url: string, text: string): { objects: ApicObject[]; totalCount: number; problems: ParseProblem[]; entries: number } {
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
  // Entries that did not parse still took a slot of the page.
  const entries = message.objects.length + problems.filter((p) => !p.where.includes('.children[')).length;
  return { objects: message.objects, totalCount, problems, entries };
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
