// Clears endpoints the way operators do: SSH to an APIC, from there to the leaf's TEP, run the
// epm clear command, keep what it printed. The second hop is an SSH session carried over a
// direct-tcpip channel of the first (ssh2 forwardOut, the same thing as `ssh -J apic leaf`), so both
// hops are real SSH with their own authentication, and no shell prompt has to be scraped.
// The APIC's sshd must allow TCP forwarding to the TEP range (AllowTcpForwarding, on by default).
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { Logger } from 'pino';
import type { ClearNodeResult } from '../store/store.js';
import type { ClearTarget, Remediator } from './remediator.js';

/** Options of ApicSshRemediator. */
export interface ApicSshRemediatorOptions {
  /** APIC host names or addresses, tried in order until one accepts the SSH login. */
  apics: string[];
  /** SSH port of the APICs (default 22). */
  port?: number;
  /** SSH port of the leafs, reached from the APIC (default 22). */
  leafPort?: number;
  username: string;
  password: string;
  /** Longest time for one clear, connections included (default 30 s). */
  timeoutMs?: number;
  logger: Logger;
}

/** Output kept per node, so a chatty or looping command cannot fill the store. */
const MAX_OUTPUT = 64 * 1024;

export class ApicSshRemediator implements Remediator {
  private readonly log: Logger;
  private readonly open = new Set<Client>();

  constructor(private readonly opts: ApicSshRemediatorOptions) {
    this.log = opts.logger.child({ component: 'remediate-ssh' });
  }

  async clear(t: ClearTarget): Promise<ClearNodeResult> {
    const base = { node: t.node, command: t.command };
    if (!t.tep) return { ...base, ok: false, output: '', error: `TEP address of node ${t.node} unknown` };
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    const clients: Client[] = [];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const run = async (): Promise<ClearNodeResult> => {
        const apic = await this.connectApic(clients, timeoutMs);
        const tunnel = await forwardOut(apic.client, t.tep, this.opts.leafPort ?? 22);
        const leaf = await this.connect(clients, { sock: tunnel }, `leaf ${t.node} (${t.tep}) via ${apic.host}`, timeoutMs);
        const r = await execute(leaf, t.command);
        this.log.info({ fabric: t.fabric, node: t.node, addr: t.addr, apic: apic.host, code: r.code }, 'clear command ran');
        const output = r.output.length > MAX_OUTPUT ? `${r.output.slice(0, MAX_OUTPUT)}\n[output cut at ${MAX_OUTPUT} characters]` : r.output;
        return r.code === 0 ? { ...base, ok: true, output } : { ...base, ok: false, output, error: `command exited with status ${r.code ?? r.signal ?? 'unknown'}` };
      };
      return await Promise.race([run(), timeout]);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.log.warn({ fabric: t.fabric, node: t.node, addr: t.addr, error }, 'clear failed');
      return { ...base, ok: false, output: '', error };
    } finally {
      clearTimeout(timer);
      for (const c of clients.reverse()) this.end(c);
    }
  }

  async close(): Promise<void> {
    for (const c of this.open) this.end(c);
  }

  /** Logs in to the first APIC that answers; the error names every one tried. */
  private async connectApic(clients: Client[], timeoutMs: number): Promise<{ client: Client; host: string }> {
    const errors: string[] = [];
    for (const host of this.opts.apics) {
      try {
        return { client: await this.connect(clients, { host, port: this.opts.port ?? 22 }, `APIC ${host}`, timeoutMs), host };
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    throw new Error(errors.length ? errors.join('; ') : 'no APIC address configured');
  }

  private connect(clients: Client[], where: ConnectConfig, what: string, timeoutMs: number): Promise<Client> {
    const c = new Client();
    clients.push(c);
    this.open.add(c);
    return new Promise((resolve, reject) => {
      c.once('ready', () => resolve(c));
      // 'on', not 'once': a late error (after ready) must not become an uncaught exception.
      c.on('error', (err: Error & { level?: string }) => {
        const why = err.level === 'client-authentication' ? `authentication failed for user ${this.opts.username}` : err.message;
        reject(new Error(`${what}: ${why}`));
      });
      c.connect({
        ...where,
        username: this.opts.username,
        password: this.opts.password,
        readyTimeout: timeoutMs,
        // APIC and leaf CLIs ask for the password through keyboard-interactive on some releases.
        tryKeyboard: true,
      });
      c.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => finish(prompts.map(() => this.opts.password)));
    });
  }

  private end(c: Client): void {
    this.open.delete(c);
    c.end();
  }
}

function forwardOut(c: Client, host: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    c.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(new Error(`cannot reach ${host}:${port} from the APIC: ${err.message}`)) : resolve(stream)));
  });
}

function execute(c: Client, command: string): Promise<{ code: number | null; signal?: string; output: string }> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, stream) => {
      if (err) return reject(new Error(`exec failed: ${err.message}`));
      const chunks: Buffer[] = [];
      let size = 0;
      const keep = (b: Buffer): void => {
        if (size <= MAX_OUTPUT) chunks.push(b);
        size += b.length;
      };
      let code: number | null = null;
      let signal: string | undefined;
      stream.on('data', keep);
      stream.stderr.on('data', keep);
      stream.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s;
      });
      stream.on('close', () => resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') }));
    });
  });
}
