// Without root the agent still runs: it reports what it could not do (the capture, other users'
// processes) in its capabilities document instead of sending empty lists as if there were nothing.
// Runs the compiled agent as the unprivileged user `nobody` against a real receiver.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentReport } from '../../src/protocols/agent-report.js';
import { startAgentReceiver, waitFor, type AgentReceiver } from './agent-receiver.js';

const BIN = fileURLToPath(new URL('../../bin/ept.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)));
const root = process.getuid?.() === 0;
const setpriv = existsSync('/usr/bin/setpriv');
const why = !built ? 'dist/ is missing (run npm run build)' : !root ? 'needs root to drop to user nobody' : !setpriv ? 'setpriv (util-linux) is missing' : '';
if (why) console.warn(`skipping the unprivileged agent test: ${why}`);

let receiver: AgentReceiver | null = null;
let agent: ChildProcess | null = null;
afterAll(async () => {
  agent?.kill('SIGTERM');
  await receiver?.close();
});

describe.skipIf(why !== '')('agent without root', () => {
  it('reports what it cannot do in its capabilities document, and still sends the rest', async () => {
    receiver = await startAgentReceiver();
    agent = spawn('/usr/bin/setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, 'agent', '--server', receiver.url, '--token', 't0k3n', '--capture-iface', 'lo', '--no-lldpcli', '--log-level', 'silent'], {
      stdio: 'ignore',
    });
    const r = receiver;
    const capabilityReasons = (): string[] => r.reports().flatMap((rep: AgentReport) => rep.documents.capabilities?.body.missing.map((m) => `${m.module}: ${m.reason}`) ?? []);
    await waitFor(() => capabilityReasons().some((m) => /^services: not root/.test(m)) && capabilityReasons().some((m) => /^switchLinks:/.test(m)), 20_000, 'capabilities naming root and the capture');
    const first = r.reports()[0]!;
    expect(r.received.every((x) => x.errors.length === 0)).toBe(true);
    expect(first.full).toBe(true);
    expect(first.documents.interfaces?.body.interfaces.some((i) => i.name === 'lo')).toBe(true);
    expect(first.documents.services).toBeDefined();
    const reasons = capabilityReasons();
    expect(reasons.some((m) => /^services: not root/.test(m))).toBe(true);
    expect(reasons.find((m) => /^switchLinks:/.test(m))).toMatch(/tcpdump|capture|permission/i);
  });
});
