// `ept agent`: runs the host agent until SIGINT/SIGTERM, or prints one pass of every document (--once).
import pino, { type Level } from 'pino';
import { EptError } from '../core/errors.js';
import { collectOnce, startAgent, type AgentOptions } from './agent.js';

/** What the CLI hands over (flags and env already merged). */
export interface AgentCommandOptions {
  server: string | undefined;
  token: string | undefined;
  captureIfaces?: string[];
  capture: boolean;
  lldpcli: boolean;
  once: boolean;
  logLevel: string;
}

/** Output and stop signal of the CLI, injectable for tests. */
export interface AgentCommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the agent should stop (SIGINT/SIGTERM in the CLI). */
  stopSignal: Promise<string>;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export async function runAgentCommand(c: AgentCommandOptions, io: AgentCommandIo): Promise<void> {
  if (!LEVELS.has(c.logLevel)) throw new EptError('config_invalid', `--log-level: must be one of ${[...LEVELS].join('|')}, got '${c.logLevel}'`);
  const logger = pino({ level: c.logLevel as Level | 'silent' }, pino.destination(2));
  const base: Omit<AgentOptions, 'server' | 'token'> = { logger, capture: c.capture, lldpcli: c.lldpcli, ...(c.captureIfaces ? { captureIfaces: c.captureIfaces } : {}) };
  if (c.once) {
    io.out(JSON.stringify(await collectOnce({ ...base, server: '', token: '' }), null, 2));
    return;
  }
  if (!c.server) throw new EptError('config_invalid', '--server: the ept server URL is required (or EPT_SERVER)');
  if (!/^https?:\/\/[^/]+/.test(c.server)) throw new EptError('config_invalid', `--server: must be an http(s) URL, got '${c.server}'`);
  if (!c.token) throw new EptError('config_invalid', "--token: the agent's token is required (or EPT_TOKEN)");
  const agent = await startAgent({ ...base, server: c.server, token: c.token });
  io.err(`ept agent: host ${agent.hostId} reporting to ${c.server}`);
  const sig = await io.stopSignal;
  io.err(`ept agent: ${sig}: stopping`);
  await agent.stop();
}
