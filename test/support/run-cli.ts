// Runs the `ept` CLI in-process against a server, capturing what it prints.
import type { CliIo } from '../../src/cli/cli-io.js';
import { defaultDeps, runCli } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs one CLI command with the given server URL and token. */
export async function runCliAgainst(server: string, token: string, argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), isTty: false, env: { server, token } };
  const code = await runCli(argv, io, defaultDeps);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
