// `ept bench replay`: frames/s of `ept replay pcap` against arpwatch -r on the same generated
// multi-million-frame ARP capture, run one after the other on this machine. arpwatch runs in an
// empty network namespace so its reverse DNS lookups fail fast; ept runs as its own CLI process.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../cli/cli-io.js';
import { arpwatchUnavailable, emptyNetns, parseArpwatch, runArpwatch, tupleSet, type ReportTuple } from './arpwatch-runner.js';
import { machineInfo } from './bench-command.js';

/** Flags of `ept bench replay`. */
export interface ReplayBenchFlags {
  frames: number;
  ips: number;
  /** One IP in this many changes its MAC (three times over the capture). */
  changeEvery: number;
  /** Also run arpwatch and compare its reports with ept's (default true). */
  arpwatch: boolean;
  json: boolean;
}

const FRAME_LEN = 60;
const REC_LEN = 16 + FRAME_LEN;

/** Writes a classic pcap of ARP requests: frame i comes from IP (i * 7919) mod ips, 20 µs apart. */
export function writeArpCapture(path: string, f: Pick<ReplayBenchFlags, 'frames' | 'ips' | 'changeEvery'>): number {
  const fd = openSync(path, 'w');
  const perChunk = 65536;
  const buf = Buffer.alloc(perChunk * REC_LEN);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  const startSec = 1_700_000_000;
  const quarter = Math.max(1, Math.floor(f.frames / 4));
  try {
    for (let base = 0; base < f.frames; base += perChunk) {
      const n = Math.min(perChunk, f.frames - base);
      for (let k = 0; k < n; k++) {
        const i = base + k;
        const o = k * REC_LEN;
        const us = i * 20;
        buf.writeUInt32LE(startSec + Math.floor(us / 1e6), o);
        buf.writeUInt32LE(us % 1e6, o + 4);
        buf.writeUInt32LE(FRAME_LEN, o + 8);
        buf.writeUInt32LE(FRAME_LEN, o + 12);
        const ipIdx = (i * 7919) % f.ips;
        // A changing IP cycles through MACs 0,1,0,2 over the four quarters: change, flip flop, change.
        const epoch = ipIdx % f.changeEvery === 0 ? [0, 1, 0, 2][Math.min(3, Math.floor(i / quarter))] as number : 0;
        writeArpFrame(buf, o + 16, 0x0200_0000_0000 + ipIdx * 4 + epoch, (10 << 24) + 0x10000 + ipIdx);
      }
      writeSync(fd, buf, 0, n * REC_LEN);
    }
  } finally {
    closeSync(fd);
  }
  return statSync(path).size;
}

function writeArpFrame(b: Buffer, o: number, mac: number, ip: number): void {
  b.fill(0xff, o, o + 6);
  b.writeUIntBE(mac, o + 6, 6);
  b.writeUInt16BE(0x0806, o + 12);
  b.writeUInt32BE(0x0001_0800, o + 14);
  b.writeUInt32BE(0x0604_0001, o + 18);
  b.writeUIntBE(mac, o + 22, 6);
  b.writeUInt32BE(ip >>> 0, o + 28);
  b.fill(0, o + 32, o + 38);
  b.writeUInt32BE((10 << 24) + 254, o + 38);
  b.fill(0, o + 42, o + FRAME_LEN);
}

/** Runs `ept replay pcap` as a child process (this installation's CLI); resolves with its output and wall time. */
function runEptReplay(capture: string): Promise<{ ms: number; stdout: string; code: number | null }> {
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'replay', 'pcap', capture, '--site', 'bench', '--rapid-threshold', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const parts: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => parts.push(d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ ms: performance.now() - t0, stdout: Buffer.concat(parts).toString('utf8'), code })));
}

function eptTuples(stdout: string): ReportTuple[] {
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ReportTuple);
}

/** Runs the benchmark; returns the process exit code. */
export async function runReplayBench(f: ReplayBenchFlags, io: CliIo): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ept-replay-bench-'));
  try {
    const capture = join(dir, 'arp.pcap');
    io.err(`writing ${f.frames} ARP frames over ${f.ips} IPs to ${capture}…`);
    const bytes = writeArpCapture(capture, f);
    io.err('running ept replay pcap…');
    const ept = await runEptReplay(capture);
    if (ept.code !== 0) throw new Error(`ept replay exited with ${ept.code}`);
    const eptFindings = eptTuples(ept.stdout);
    let arpwatch: { ms: number; reports: number; sameReports: boolean } | { skipped: string } = { skipped: 'not asked (--no-arpwatch)' };
    const why = f.arpwatch ? arpwatchUnavailable() : 'not asked (--no-arpwatch)';
    if (why === null) {
      io.err('running arpwatch -r in an empty network namespace…');
      const ns = emptyNetns('ept-bench');
      try {
        const aw = runArpwatch(capture, dir, ns.name);
        const theirs = parseArpwatch(aw.stdout, aw.stderr);
        arpwatch = { ms: aw.ms, reports: theirs.length, sameReports: tupleSet(theirs).join('\n') === tupleSet(eptFindings).join('\n') };
      } finally {
        ns.remove();
      }
    } else arpwatch = { skipped: why };
    const result = {
      machine: machineInfo(),
      frames: f.frames,
      ips: f.ips,
      captureBytes: bytes,
      ept: { ms: Math.round(ept.ms), framesPerSec: Math.round(f.frames / (ept.ms / 1000)), findings: eptFindings.length },
      arpwatch: 'ms' in arpwatch ? { ...arpwatch, ms: Math.round(arpwatch.ms), framesPerSec: Math.round(f.frames / (arpwatch.ms / 1000)) } : arpwatch,
    };
    if (f.json) io.out(JSON.stringify(result, null, 2));
    else {
      const aw = result.arpwatch;
      io.out(
        [
          `machine: ${result.machine.cpuModel}, ${result.machine.nproc} cores, node ${result.machine.node}`,
          `capture: ${f.frames} ARP frames, ${f.ips} IPs, ${(bytes / 2 ** 20).toFixed(0)} MiB`,
          `ept replay pcap: ${(result.ept.ms / 1000).toFixed(2)} s, ${result.ept.framesPerSec} frames/s, ${result.ept.findings} findings`,
          'ms' in aw
            ? `arpwatch -r:     ${(aw.ms / 1000).toFixed(2)} s, ${aw.framesPerSec} frames/s, ${aw.reports} reports; same set of reports: ${aw.sameReports ? 'yes' : 'NO'}\nratio: ${(result.ept.framesPerSec / aw.framesPerSec).toFixed(1)}x`
            : `arpwatch: skipped (${aw.skipped})`,
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
