import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../config/server-config.js';
import type { SimFabricCommandOptions } from '../sim/index.js';
import type { CliIo } from './cli-io.js';
import { runCli, type CliDeps } from './main.js';

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function capture(env: CliIo['env'] = { server: undefined, token: undefined }) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), isTty: false, env };
  return { io, out, err };
}

function deps(record: { config?: ServerConfig; sim?: SimFabricCommandOptions }): CliDeps {
  return {
    async startServer(config) {
      record.config = config;
      // Closing right away lets the command finish; a real server waits for a signal.
      setImmediate(() => process.emit('SIGTERM'));
      return { url: 'http://127.0.0.1:1', close: async () => undefined };
    },
    async runSimFabricCommand(options) {
      record.sim = options;
    },
  };
}

describe('ept server', () => {
  it('passes only given flags, so environment and defaults still apply', async () => {
    const rec: { config?: ServerConfig } = {};
    const { io, err } = capture();
    expect(await runCli(['server', '--port', '9090', '--no-demo', '--data-dir', '/tmp/ept-x', '--log-level', 'warn'], io, deps(rec))).toBe(0);
    expect(rec.config).toMatchObject({ port: 9090, demo: false, dataDir: '/tmp/ept-x', logLevel: 'warn', host: '127.0.0.1' });
    expect(err.join('')).toContain('listening on http://127.0.0.1:1');
  });

  it('demo stays on unless --no-demo is given', async () => {
    const rec: { config?: ServerConfig } = {};
    expect(await runCli(['server'], capture().io, deps(rec))).toBe(0);
    expect(rec.config?.demo).toBe(true);
  });

  it('prints config errors as ept: code: message and exits 1', async () => {
    const { io, err } = capture();
    expect(await runCli(['server', '--port', 'abc'], io, deps({}))).toBe(1);
    expect(err).toEqual(["ept: config_invalid: --port: must be an integer between 1 and 65535, got 'abc'"]);
  });
});

describe('ept sim fabric', () => {
  it('hands its options to the simulator, as numbers', async () => {
    const rec: { sim?: SimFabricCommandOptions } = {};
    expect(await runCli(['sim', 'fabric', '--port', '8443', '--leafs', '4', '--tls', '--churn', '50'], capture().io, deps(rec))).toBe(0);
    expect(rec.sim).toMatchObject({ port: 8443, leafs: 4, tls: true, churn: 50, endpoints: 1000, seed: 1 });
  });

  it('rejects a bad number with a message naming the option', async () => {
    const { io, err } = capture();
    expect(await runCli(['sim', 'fabric', '--leafs', 'many'], io, deps({}))).toBe(1);
    expect(err.join('')).toContain("--leafs: must be an integer between 1 and 4000, got 'many'");
  });
});

describe('client commands', () => {
  it('fail cleanly when the server is unreachable', async () => {
    const port = await closedPort();
    const { io, err } = capture();
    expect(await runCli(['--server', `http://127.0.0.1:${port}`, '--token', 't', 'fabric', 'list'], io, deps({}))).toBe(1);
    expect(err).toEqual([`ept: unreachable: cannot reach the ept server at http://127.0.0.1:${port}: ECONNREFUSED`]);
  });

  it('need a token or credentials', async () => {
    const { io, err } = capture();
    expect(await runCli(['fabric', 'list'], io, deps({}))).toBe(1);
    expect(err[0]).toBe('ept: unauthorized: no token: pass --token, set EPT_TOKEN, or give --user and --password');
  });

  it('reject unknown commands and missing arguments with a non-zero exit', async () => {
    const { io, err } = capture();
    expect(await runCli(['fabric', 'show'], io, deps({}))).not.toBe(0);
    expect(err.join('')).toContain("missing required argument 'name'");
    expect(await runCli(['bogus'], capture().io, deps({}))).not.toBe(0);
  });

  it('reject a malformed --set before calling the server', async () => {
    const { io, err } = capture({ server: 'http://127.0.0.1:1', token: 't' });
    expect(await runCli(['fabric', 'settings', 'f', '--set', 'nonsense'], io, deps({}))).toBe(1);
    expect(err).toEqual(['ept: bad_request: --set nonsense: expected name=value']);
  });
});
