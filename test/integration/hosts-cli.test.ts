// `ept agent-token create|list|revoke` against a real server on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { startHarness, type Harness } from './api-harness.js';

let h: Harness;
let url = '';
beforeAll(async () => {
  h = await startHarness({ docs: false });
  url = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => h.close());

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--server', url, '--token', h.adminToken, ...args], { out: (s) => out.push(s), err: (s) => err.push(s), isTty: false, env: { server: undefined, token: undefined } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('ept agent-token', () => {
  it('creates (token shown once), lists and revokes', async () => {
    const created = await cli('agent-token', 'create', 'web1', '--site', 'dc1', '--json');
    expect(created.code).toBe(0);
    const a = JSON.parse(created.out) as { id: string; token: string; site: string };
    expect(a.token).toMatch(/^ept_agent_/);
    expect(a.site).toBe('dc1');
    const listed = await cli('agent-token', 'list');
    expect(listed.out).toContain('web1');
    expect(listed.out).toContain('valid');
    expect(listed.out).not.toContain(a.token);
    expect((await cli('agent-token', 'revoke', a.id)).code).toBe(0);
    expect((await cli('agent-token', 'list')).out).toMatch(/revoked/);
    const missing = await cli('agent-token', 'revoke', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('not_found');
  });
});
