import { describe, expect, it } from 'vitest';
import { REDACTED, redactCmdline } from './cmdline-redact.js';

const cmd = (...args: string[]) => `${args.join('\0')}\0`;

describe('redactCmdline', () => {
  it('hides the value after a secret-named flag, in both spellings', () => {
    expect(redactCmdline(cmd('node', 'ept.js', 'agent', '--server', 'https://ept:8443', '--token', 'ept_agent_abc'))).toBe(cmd('node', 'ept.js', 'agent', '--server', 'https://ept:8443', '--token', REDACTED));
    expect(redactCmdline(cmd('app', '--db-password=hunter2', '--client_secret', 's3', '-apikey', 'k'))).toBe(cmd('app', `--db-password=${REDACTED}`, '--client_secret', REDACTED, '-apikey', REDACTED));
  });

  it('hides secret-named NAME=value arguments and URL passwords', () => {
    expect(redactCmdline(cmd('env', 'EPT_TOKEN=abc', 'PATH=/bin', 'x'))).toBe(cmd('env', `EPT_TOKEN=${REDACTED}`, 'PATH=/bin', 'x'));
    expect(redactCmdline(cmd('psql', 'postgres://app:pw@db:5432/x'))).toBe(cmd('psql', `postgres://app:${REDACTED}@db:5432/x`));
  });

  it('leaves ordinary command lines alone (same string back)', () => {
    const raw = cmd('nginx', '-g', 'daemon off;', '--pass-through', 'x', '--tokens-file', '/etc/t', 'https://host:443/p');
    expect(redactCmdline(raw)).toBe(raw);
    expect(redactCmdline('')).toBe('');
    // A flag at the end has no value to hide.
    expect(redactCmdline(cmd('tool', '--token'))).toBe(cmd('tool', '--token'));
  });
});
