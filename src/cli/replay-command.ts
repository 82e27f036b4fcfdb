// `ept replay pcap FILE --site NAME [--subnet CIDR]... [--json]`: host-side endpoint tracking of an
// offline capture, in this process (no server). Prints arpwatch's kinds of report, one per line.
import { createReadStream } from 'node:fs';
import { HostTracker, type HostFinding } from '../core/arp-tracker.js';
import { SubnetSet } from '../core/arp-subnets.js';
import { EptError } from '../core/errors.js';
import { replayCapture, type ReplayStats } from '../hosts/pcap-replay.js';
import type { CliIo } from './cli-io.js';

/** Options of runReplayPcap. */
export interface ReplayPcapOptions {
  site: string;
  subnets: string[];
  json: boolean;
  /** MAC changes per minute above which an IP is rapid (0 disables the rule). */
  rapidThreshold?: number;
}

/** One finding as a --json line: {"kind","ip","mac","previousMac"?,"ts"} (+ rate for rapid). */
export function findingLine(f: HostFinding): string {
  const o: Record<string, unknown> = { kind: f.kind, ip: f.ip, mac: f.mac };
  if (f.previousMac !== undefined) o['previousMac'] = f.previousMac;
  o['ts'] = f.ts;
  if (f.rate !== undefined) o['rate'] = f.rate;
  return JSON.stringify(o);
}

function humanLine(f: HostFinding): string {
  const when = new Date(f.ts).toISOString();
  const prev = f.previousMac === undefined ? '' : f.kind === 'ethernet_mismatch' ? ` (frame source ${f.previousMac})` : ` (was ${f.previousMac})`;
  return `${when} ${f.kind.replaceAll('_', ' ')} ${f.ip} ${f.mac}${prev}${f.rate === undefined ? '' : ` ${f.rate} changes/min`}`;
}

/** Replays `file` ('-' = stdin); returns the counters. An unreadable or corrupt file throws parse_error. */
export async function runReplayPcap(file: string, o: ReplayPcapOptions, io: CliIo): Promise<ReplayStats> {
  const rules = o.rapidThreshold === undefined ? {} : { rapidThreshold: o.rapidThreshold };
  const tracker = new HostTracker({ site: o.site, subnets: new SubnetSet(o.subnets), rules });
  // Findings are written in blocks: one write per finding would dominate a replay with many.
  let block: string[] = [];
  const emit = (f: HostFinding) => {
    block.push(o.json ? findingLine(f) : humanLine(f));
    if (block.length >= 1024) {
      io.out(block.join('\n'));
      block = [];
    }
  };
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  let stats: ReplayStats;
  try {
    stats = await replayCapture(input, tracker, emit, file);
  } catch (err) {
    if (err instanceof EptError) throw err;
    throw new EptError('parse_error', `${file}: cannot read: ${(err as Error).message}`, { offset: 0 }, { cause: err });
  } finally {
    if (block.length) io.out(block.join('\n'));
  }
  const rate = stats.elapsedMs > 0 ? Math.round(stats.frames / (stats.elapsedMs / 1000)) : 0;
  io.err(`${stats.frames} frames (${stats.arp} ARP, ${stats.nd} ND, ${stats.other} other), ${stats.findings} findings, ${tracker.size} IPs, ${(stats.elapsedMs / 1000).toFixed(2)} s, ${rate} frames/s`);
  return stats;
}
