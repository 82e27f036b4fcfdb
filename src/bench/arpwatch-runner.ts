// Runs Debian's arpwatch over a capture file and parses its reports into (kind, ip, mac, previousMac)
// tuples in ept's vocabulary. arpwatch is run in a fresh, empty network namespace so its reverse DNS
// lookups fail at once instead of timing out. Shared by the comparison test and the benchmark.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why arpwatch cannot run here, or null when it can. */
export function arpwatchUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: arpwatch -r needs an empty network namespace (ip netns), which needs root';
  const which = spawnSync('sh', ['-c', 'command -v arpwatch && command -v ip'], { encoding: 'utf8' });
  if (which.status !== 0) return 'arpwatch or ip (iproute2) is not installed (apt-get install arpwatch)';
  return null;
}

/** Creates an empty network namespace; returns its name and a function that deletes it. */
export function emptyNetns(prefix = 'ept-aw'): { name: string; remove(): void } {
  const name = `${prefix}-${process.pid}-${Date.now() % 100000}`;
  execFileSync('ip', ['netns', 'add', name]);
  return { name, remove: () => spawnSync('ip', ['netns', 'delete', name]) };
}

/** arpwatch's output for `capture` (absolute paths: arpwatch changes directory). */
export function runArpwatch(capture: string, dir: string, netns: string): { stdout: string; stderr: string; status: number | null; ms: number } {
  const db = join(dir, 'arp.dat');
  writeFileSync(db, '');
  const t0 = performance.now();
  const r = spawnSync('ip', ['netns', 'exec', netns, 'arpwatch', '-d', '-r', capture, '-f', db], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, HOME: dir },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, ms: performance.now() - t0 };
}

export interface ReportTuple {
  kind: string;
  ip: string;
  mac: string;
  previousMac?: string;
}

const MAIL_KINDS: Record<string, string> = {
  'new station': 'new_station',
  'new activity': 'new_activity',
  'changed ethernet address': 'changed_ethernet_address',
  'flip flop': 'flip_flop',
};

/**
 * Parses arpwatch -d output. Reports come as mails on stdout ("Subject: flip flop (10.0.0.1)" then
 * "ethernet address:" / "old ethernet address:" lines) and as syslog lines on stderr
 * ("arpwatch: reused old ethernet address IP NEW (OLD)", "arpwatch: ethernet mismatch IP SRC (ARPSHA)").
 */
export function parseArpwatch(stdout: string, stderr: string): ReportTuple[] {
  const out: ReportTuple[] = [];
  for (const mail of stdout.split(/\n(?=From: )/)) {
    const subj = /^Subject: (.+?) \(([^)]+)\)/m.exec(mail);
    if (!subj) continue;
    const kind = MAIL_KINDS[subj[1] as string];
    if (!kind) continue;
    const mac = /^\s*ethernet address: (\S+)/m.exec(mail)?.[1] ?? '';
    const old = /^\s*old ethernet address: (\S+)/m.exec(mail)?.[1];
    out.push({ kind, ip: subj[2] as string, mac, ...(old ? { previousMac: old } : {}) });
  }
  for (const line of stderr.split('\n')) {
    const m = /^arpwatch: (reused old ethernet address|ethernet mismatch|bogon) (\S+) (\S+)(?: \((\S+)\))?/.exec(line);
    if (!m) continue;
    const [, what, ip, a, b] = m as unknown as [string, string, string, string, string | undefined];
    if (what === 'reused old ethernet address') out.push({ kind: 'reused_old_ethernet_address', ip, mac: a, ...(b ? { previousMac: b } : {}) });
    // "ethernet mismatch IP ETHERNET-SOURCE (ARP-SENDER)": ept's mac is the ARP sender, previousMac the frame source.
    else if (what === 'ethernet mismatch' && b) out.push({ kind: 'ethernet_mismatch', ip, mac: b, previousMac: a });
    else if (what === 'bogon') out.push({ kind: 'bogon', ip, mac: a });
  }
  return out;
}

/** A canonical, sortable text of a set of tuples. */
export function tupleSet(ts: readonly ReportTuple[]): string[] {
  return [...new Set(ts.map((t) => `${t.kind} ${t.ip} ${t.mac} ${t.previousMac ?? '-'}`))].sort();
}
