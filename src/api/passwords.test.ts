import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.js';
import { LoginRateLimit } from './login-rate-limit.js';

describe('passwords', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
  });

  it('treats a malformed stored hash as a mismatch', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$a$b$c$d$')).toBe(false);
  });
});

describe('LoginRateLimit', () => {
  it('allows max attempts per window, then reports the wait, and resets', () => {
    let now = 0;
    const l = new LoginRateLimit({ max: 2, windowMs: 60_000, now: () => now });
    expect([l.hit('a'), l.hit('a'), l.hit('b')]).toEqual([0, 0, 0]);
    now = 30_000;
    expect(l.hit('a')).toBe(30);
    now = 60_000;
    expect(l.hit('a')).toBe(0);
    l.hit('a');
    l.reset('a');
    expect(l.hit('a')).toBe(0);
  });
});
