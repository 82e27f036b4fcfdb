// `ept bench fabric`: re-runs node with --expose-gc (memory after a forced GC) and a large heap
// limit when not already given, runs the fabric benchmark and prints its summary.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { CliIo } from '../cli/cli-io.js';
import { SERVER_DEFAULTS } from '../config/server-config.js';
import { fabricBenchJson, formatFabricBench } from './bench-report.js';
import { defaultPartitions, runFabricBench, type FabricBenchResult } from './fabric-bench.js';

/** Parsed flags of `ept bench fabric`. */
export interface FabricBenchFlags {
  endpoints: number;
  leafs: number;
  duration: number;
  seed: number;
  churnPool: number;
  /** SQLite page cache, MiB (undefined: the store's default). */
  cacheMiB?: number;
  /** APIC query page size, write-behind batch, queue capacity (undefined: the server's defaults). */
  pageSize?: number;
  batchSize?: number;
  queueCapacity?: number;
  json: boolean;
}

/** Heap limit of the re-executed benchmark, MiB: 1M endpoints need more than node's default. */
const BENCH_HEAP_MIB = 8192;

/** The machine, as RESULTS.md records it. */
export function machineInfo(): FabricBenchResult['machine'] {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpuModel = m[1].trim();
  } catch {
    // Not Linux: os.cpus() is what there is.
  }
  return {
    nproc: availableParallelism(),
    cpuModel,
    memTotalBytes: totalmem(),
    node: process.version,
    runtime: { nodeFlags: process.execArgv.filter((a) => !a.startsWith('--max-old-space-size') && a !== '--expose-gc'), mallocArenaMax: process.env['MALLOC_ARENA_MAX'] ?? null },
  };
}

/**
 * The runtime settings bin/ept.js runs the server with, read from its first line
 * (`#!/usr/bin/env -S NAME=VALUE … node --flag …`): node flags and environment assignments.
 */
export function serverRuntime(shebang: string): { flags: string[]; env: Record<string, string> } {
  const words = shebang.split(/\s+/);
  const env: Record<string, string> = {};
  for (const w of words) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(w);
    if (m) env[m[1] as string] = m[2] as string;
  }
  return { flags: words.filter((w) => w.startsWith('--')), env };
}

/** What this process lacks of the server's runtime settings, as `--flag` and `NAME=VALUE` words. */
function missingRuntime(): string[] {
  let first = '';
  try {
    first = readFileSync(new URL('../../bin/ept.js', import.meta.url), 'utf8').split('\n')[0] ?? '';
  } catch {
    return [];
  }
  const want = serverRuntime(first);
  const env = Object.entries(want.env).filter(([k, v]) => process.env[k] !== v).map(([k, v]) => `${k}=${v}`);
  return want.flags.filter((f) => !process.execArgv.includes(f)).concat(env);
}

/** Re-executes this command under node --expose-gc; resolves with its exit code. */
function reexecWithGc(): Promise<number> {
  const args = ['--expose-gc', `--max-old-space-size=${BENCH_HEAP_MIB}`, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** Runs the fabric benchmark; returns the process exit code. */
export async function runFabricBenchCommand(f: FabricBenchFlags, io: CliIo): Promise<number> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') return reexecWithGc();
  const missing = missingRuntime();
  if (missing.length) io.err(`warning: not running with the server's runtime settings (${missing.join(' ')}): memory and GC figures will differ; run ./bin/ept.js or npm run bench`);
  const result = await runFabricBench(
    {
      endpoints: f.endpoints,
      leafs: f.leafs,
      duration: f.duration,
      seed: f.seed,
      churnPool: Math.min(f.churnPool, f.endpoints),
      partitions: defaultPartitions(),
      batchSize: f.batchSize ?? SERVER_DEFAULTS.batchSize,
      queueCapacity: f.queueCapacity ?? SERVER_DEFAULTS.queueCapacity,
      pageSize: f.pageSize,
      cacheMiB: f.cacheMiB,
      progress: (line) => io.err(line),
    },
    machineInfo(),
  );
  io.out(f.json ? fabricBenchJson(result) : formatFabricBench(result));
  return 0;
}
