// Where CLI output goes; tests pass their own to capture it.
import { clientEnv } from '../config/server-config.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars). */
  isTty: boolean;
  /** EPT_SERVER / EPT_TOKEN, read through config/ (the only reader of process.env). */
  env: { server: string | undefined; token: string | undefined };
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    isTty: process.stdout.isTTY === true,
    env: clientEnv(),
  };
}
