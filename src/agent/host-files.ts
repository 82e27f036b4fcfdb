// The agent's small I/O helpers: read a file or a link without throwing, run a command with a timeout,
// find an executable. Discovery passes read /proc synchronously on purpose: thousands of tiny
// reads are far cheaper in CPU as syscalls than as promises, and one pass is bounded (< 1 s).
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, readlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** File contents, or undefined when it cannot be read (absent, EACCES, EINVAL from sysfs). */
export function readTextOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Link target, or undefined. */
export function readLinkOr(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** System directories searched for tools (systemd's default PATH): the agent does not trust the caller's PATH. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The path of an executable (a name searched in `pathVar`, or a path), or undefined. */
export function findExecutable(name: string, pathVar: string = SYSTEM_PATH): string | undefined {
  const dirs = name.includes('/') ? [''] : pathVar.split(delimiter);
  for (const d of dirs) {
    const p = d ? join(d, name) : name;
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Outcome of a command: stdout, or why it failed (values, not exceptions). */
export type CommandResult = { ok: true; stdout: string } | { ok: false; error: string };

/** Runs argv[0] with the rest as arguments; at most `timeoutMs`, stdout up to 64 MiB. */
export function runCommand(argv: readonly string[], timeoutMs = 10_000): Promise<CommandResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.resolve({ ok: false, error: 'empty command' });
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) resolve({ ok: false, error: `${argv.join(' ')}: ${(stderr || err.message).trim().split('\n').slice(-1)[0] ?? ''}` });
      else resolve({ ok: true, stdout });
    });
  });
}
