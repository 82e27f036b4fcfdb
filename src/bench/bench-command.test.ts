import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serverRuntime } from './bench-command.js';

describe('serverRuntime', () => {
  it('reads node flags and environment assignments from a shebang line', () => {
    expect(serverRuntime('#!/usr/bin/env -S A_B=2 node --x=1 --y')).toEqual({ flags: ['--x=1', '--y'], env: { A_B: '2' } });
    expect(serverRuntime('#!/usr/bin/env node')).toEqual({ flags: [], env: {} });
  });

  it("finds the server's settings on bin/ept.js's first line", () => {
    const first = readFileSync(new URL('../../bin/ept.js', import.meta.url), 'utf8').split('\n')[0] ?? '';
    const r = serverRuntime(first);
    expect(r.flags).toEqual(expect.arrayContaining(['--max-semi-space-size=48', '--heap-growing-percent=40']));
    expect(r.env).toEqual({ MALLOC_ARENA_MAX: '2' });
  });
});
