import { describe, expect, it } from 'vitest';
import { normalizeSearch } from './search-query.js';

describe('normalizeSearch', () => {
  it.each([
    ['0050.56aa.bb01', '00:50:56:aa:bb:01'],
    ['00-50-56-AA-BB-01', '00:50:56:aa:bb:01'],
    ['005056AABB01', '00:50:56:aa:bb:01'],
    ['0050.56', '00:50:56'],
    ['0050.56a', '00:50:56:a'],
    ['00-50-5', '00:50:5'],
    ['005056a', '00:50:56:a'],
    ['00:50:56', '00:50:56'],
    ['10.1.1.1', '10.1.1.1'],
    ['10.1', '10.1'],
    ['10.1.', '10.1.'],
    ['2001:DB8:0::1', '2001:db8::1'],
    // Twelve hex digits, but an IPv6 address (was read as the MAC 20:01:db:81:31:21).
    ['2001:db8:1:3::121', '2001:db8:1:3::121'],
    ['2001:db8:', '2001:db8:'],
    ['2001', '2001'],
    ['  AB  ', 'ab'],
    ['', ''],
    ['host-1', 'host-1'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeSearch(input)).toBe(expected);
  });
});
