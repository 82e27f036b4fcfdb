import { describe, expect, it, vi } from 'vitest';
import { flagsText, intern, internFlags, NO_FLAGS } from './intern.js';

describe('interning', () => {
  it('shares equal flag lists, frozen, and the empty list', () => {
    const a = internFlags('local,mac,vpc-attached');
    expect(internFlags('local,mac,vpc-attached')).toBe(a);
    expect(a).toEqual(['local', 'mac', 'vpc-attached']);
    expect(Object.isFrozen(a)).toBe(true);
    expect(internFlags('')).toBe(NO_FLAGS);
  });

  it('gives back the text of a flag list, joined once per list, for interned and plain lists', () => {
    const a = internFlags('ip,local');
    expect(flagsText(a)).toBe('ip,local');
    const join = vi.spyOn(Array.prototype, 'join');
    expect(flagsText(a)).toBe('ip,local');
    expect(join).not.toHaveBeenCalled();
    join.mockRestore();
    expect(flagsText(['cached', 'ip'])).toBe('cached,ip');
    expect(flagsText(['ip'])).toBe('ip');
    expect(flagsText([])).toBe('');
  });

  it('shares equal strings', () => {
    const s = ['eth1', '/', '7'].join('');
    expect(intern(s)).toBe(intern('eth1/7'));
  });
});
