// Reading a fabric's classes from the APIC: the table classes into FabricTables, and the endpoint
// classes into the pipeline between beginSync and endSync (the sink synthesises the deletes).
import { TABLE_CLASSES, type FabricTables, type MoRow } from '../core/fabric-tables.js';
import type { Observation, ObservationClass } from '../core/types.js';
import { ENDPOINT_CLASSES, type ParseProblem } from '../protocols/apic-objects.js';
import type { EndpointSink, MissingLearn } from '../pipeline/sink.js';
import { pagedQuery, queryClass, type DecodedPage, type PageBody, type PageOf } from './apic-query.js';
import type { EndpointPage } from './endpoint-page.js';
import { inlineDecoder, type EndpointPageDecoder } from './page-decoder.js';
import type { ApicGetter } from './apic-session.js';
import type { BuildProgress } from './fabric-status.js';

/** The endpoint classes, in the order they are read (MACs before the IPs that resolve to them). */
export const ENDPOINT_CLASS_NAMES = Object.keys(ENDPOINT_CLASSES);

/** What a read needs from its owner. */
export interface SyncContext {
  fabric: string;
  apic: ApicGetter;
  sink: EndpointSink;
  pageSize?: number;
  signal: AbortSignal;
  now: () => number;
  /** Progress per class; null when the read is not reported (per-node resync, refresh). */
  progress: BuildProgress | null;
  /** An object or entry that could not be used: counted and logged by the owner. */
  parseError: (where: string, reason: string) => void;
  /** Observations handed to the sink. */
  submitted: (n: number) => void;
  /** Where pages of endpoint classes are decoded (default: inline, on the event loop). */
  decoder?: EndpointPageDecoder;
}

/** Persists table objects; with replaceClasses, replaces every stored object of those classes. */
export type SaveObjects = (rows: MoRow[], replaceClasses?: string[]) => Promise<void>;

function track(ctx: SyncContext, cls: string, read: number, total: number, done: boolean): void {
  if (ctx.progress) ctx.progress.classes[cls] = { read, total, done };
}

function reportProblems(ctx: SyncContext, url: string, problems: ParseProblem[]): void {
  for (const p of problems) ctx.parseError(`${url} ${p.where}`, p.message);
}

/** Reads every table class, replacing each in the tables and the store once it is fully read. */
export async function readTableClasses(ctx: SyncContext, tables: FabricTables, save: SaveObjects): Promise<number> {
  let count = 0;
  for (const cls of TABLE_CLASSES) {
    const rows: MoRow[] = [];
    track(ctx, cls, 0, 0, false);
    for await (const page of queryClass(ctx.apic, cls, { pageSize: ctx.pageSize, signal: ctx.signal })) {
      reportProblems(ctx, page.url, page.problems);
      for (const o of page.objects) {
        const dn = o.attrs['dn'];
        if (typeof dn !== 'string' || dn === '') ctx.parseError(page.url, `${o.cls} without dn`);
        else rows.push({ cls: o.cls, dn, attrs: withoutStatus(o.attrs) });
      }
      track(ctx, cls, page.read, page.totalCount, false);
    }
    ctx.signal.throwIfAborted();
    tables.replaceClasses([cls], rows);
    await save(rows, [cls]);
    track(ctx, cls, rows.length, ctx.progress?.classes[cls]?.total ?? rows.length, true);
    count += rows.length;
  }
  return count;
}

function withoutStatus(attrs: Record<string, string>): Record<string, string> {
  if (!('status' in attrs)) return attrs;
  const copy = { ...attrs };
  delete copy['status'];
  return copy;
}

/** query-target-filter restricting a class to some nodes. */
export function nodeFilter(cls: string, nodes: readonly number[]): string {
  const parts = nodes.map((n) => `wcard(${cls}.dn,"/node-${n}/")`);
  return parts.length === 1 ? (parts[0] ?? '') : `or(${parts.join(',')})`;
}

/**
 * The pages of an endpoint class query, decoded by ctx.decoder. Each page's observations are
 * stamped with the time the page was asked for: the page shows the state as of then, and an event
 * received later is newer and must win.
 */
function endpointPages(ctx: SyncContext, cls: string, filter: string | undefined): AsyncGenerator<PageOf<EndpointPage>> {
  const decoder = ctx.decoder ?? inlineDecoder;
  const decode = async (url: string, body: PageBody, ts: number): Promise<DecodedPage<EndpointPage>> => {
    const value = await decoder.decode(ctx.fabric, url, body, ts);
    return { value, entries: value.entries, totalCount: value.totalCount };
  };
  return pagedQuery(ctx.apic, cls, { pageSize: ctx.pageSize, signal: ctx.signal, filter }, decode, ctx.now);
}

/**
 * The observations of an endpoint class query, page by page, with the progress after each page.
 * Only the observations are yielded: what a page was parsed from is garbage before the pipeline
 * analyses it (kept alive across the submit, it outlived young-generation collections and was
 * promoted; bench/RESULTS.md, session 5).
 */
async function* observationBatches(
  ctx: SyncContext,
  cls: string,
  filter: string | undefined,
  keep?: (o: Observation) => boolean,
): AsyncGenerator<{ batch: Observation[]; read: number; totalCount: number }> {
  for await (const { value: page, url, read, totalCount } of endpointPages(ctx, cls, filter)) {
    reportProblems(ctx, url, page.problems);
    for (const r of page.rejected) ctx.parseError(r.where, r.reason);
    yield { batch: keep ? page.observations.filter(keep) : page.observations, read, totalCount };
  }
}

/**
 * Streams one endpoint class query into the sink, page by page, awaiting each submit
 * (backpressure). Pages are decoded by ctx.decoder (a thread of its own in the server) while the
 * pipeline analyses the page before.
 */
export async function streamClass(ctx: SyncContext, cls: string, filter?: string, keep?: (o: Observation) => boolean): Promise<number> {
  let submitted = 0;
  track(ctx, cls, 0, 0, false);
  for await (const { batch, read, totalCount } of observationBatches(ctx, cls, filter, keep)) {
    if (batch.length) {
      await ctx.sink.submit(batch);
      ctx.submitted(batch.length);
      submitted += batch.length;
    }
    track(ctx, cls, read, totalCount, false);
  }
  const p = ctx.progress?.classes[cls];
  track(ctx, cls, p?.read ?? 0, p?.total ?? 0, true);
  return submitted;
}

/**
 * Re-reads the endpoint classes of all nodes (null) or of some, between beginSync and endSync.
 * An abort leaves the sync open; the next beginSync supersedes it (no deletes are synthesised).
 */
export async function readEndpointClasses(ctx: SyncContext, nodes: number[] | null): Promise<{ deleted: number; submitted: number }> {
  const epoch = await ctx.sink.beginSync(ctx.fabric, nodes);
  let submitted = 0;
  for (const cls of ENDPOINT_CLASS_NAMES) {
    submitted += await streamClass(ctx, cls, nodes ? nodeFilter(cls, nodes) : undefined);
    ctx.sink.classRead?.(ctx.fabric, epoch, ENDPOINT_CLASSES[cls] as ObservationClass);
  }
  ctx.signal.throwIfAborted();
  const { deleted } = await ctx.sink.endSync(ctx.fabric, epoch, (missing) => confirmMissing(ctx, missing));
  return { deleted, submitted };
}

/** Addresses per confirmation query (keeps the filter well inside URL limits). */
const CONFIRM_CHUNK = 40;

/** The filter term matching one address in a class (MAC case differs between APIC releases). */
function addressTerm(cls: ObservationClass, addr: string): string {
  if (cls === 'mac') return `eq(epmMacEp.addr,"${addr.toUpperCase()}"),eq(epmMacEp.addr,"${addr}")`;
  if (cls === 'ip') return `eq(epmIpEp.addr,"${addr}")`;
  return `wcard(epmRsMacEpToIpEpAtt.dn,"ip-[${addr}]")`;
}

const CLASS_OF: Record<ObservationClass, string> = { mac: 'epmMacEp', ip: 'epmIpEp', binding: 'epmRsMacEpToIpEpAtt' };

/**
 * Confirms that learns a paged re-read did not return are really gone, by querying their addresses
 * directly: offset paging skips objects that shift between pages while the read runs. What is found
 * is submitted as a fresh snapshot; the rest is returned (really gone).
 */
export async function confirmMissing(ctx: SyncContext, missing: MissingLearn[]): Promise<MissingLearn[]> {
  const key = (m: { cls: string; node: number; vnid: number; addr: string }): string => `${m.cls}|${m.node}|${m.vnid}|${m.addr}`;
  const found = new Set<string>();
  for (const cls of ['mac', 'ip', 'binding'] as const) {
    const addrs = [...new Set(missing.filter((m) => m.cls === cls).map((m) => m.addr))];
    for (let i = 0; i < addrs.length; i += CONFIRM_CHUNK) {
      const filter = `or(${addrs.slice(i, i + CONFIRM_CHUNK).map((a) => addressTerm(cls, a)).join(',')})`;
      for await (const { batch } of observationBatches(ctx, CLASS_OF[cls], filter)) {
        for (const o of batch) found.add(key(o));
        if (batch.length) await ctx.sink.submit(batch);
      }
    }
  }
  return missing.filter((m) => !found.has(key(m)));
}
