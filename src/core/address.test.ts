import { describe, expect, it } from 'vitest';
import { addressType, normalizeIp, normalizeMac, parsePrefix, prefixContains } from './address.js';

describe('normalizeMac', () => {
  it('accepts the common forms and returns lower-case colon form', () => {
    for (const m of ['00:50:56:AB:cd:EF', '00-50-56-ab-cd-ef', '0050.56ab.cdef', '005056ABCDEF', '00:50:56:ab:cd:ef']) {
      expect(normalizeMac(m)).toBe('00:50:56:ab:cd:ef');
    }
  });

  it('rejects what is not a MAC', () => {
    for (const m of ['', '00:50:56:ab:cd', '00:50:56:ab:cd:eg', '00:50:56:ab:cd:ef:01', '00;50;56;ab;cd;ef', 'zz:50:56:ab:cd:ef', '00:50:56:ab:cd:e']) {
      expect(normalizeMac(m)).toBeNull();
    }
  });

  it('leaves IPv6 addresses with twelve hex digits, and mixed or misplaced separators, alone', () => {
    for (const m of ['2001:db8:1:3::121', '2001:db8::1:2:3', 'fe80::1:2:3:4', '00:50-56:ab:cd:ef', '0050:56ab:cdef', '00.50.56.ab.cd.ef', '0:0:5:0:5:6:a:b:c:d:e:f']) {
      expect(normalizeMac(m)).toBeNull();
    }
    expect(normalizeIp('2001:db8:1:3::121')).toBe('2001:db8:1:3::121');
  });
});

describe('prefixes', () => {
  it('matches IPv4 addresses at the edges of a prefix', () => {
    const p = parsePrefix('10.1.1.1/24')!;
    expect(prefixContains(p, '10.1.1.0')).toBe(true);
    expect(prefixContains(p, '10.1.1.255')).toBe(true);
    expect(prefixContains(p, '10.1.2.0')).toBe(false);
    expect(prefixContains(p, '10.1.0.255')).toBe(false);
    const top = parsePrefix('255.255.255.254/31')!;
    expect(prefixContains(top, '255.255.255.255')).toBe(true);
    expect(prefixContains(top, '255.255.255.253')).toBe(false);
    expect(prefixContains(parsePrefix('0.0.0.0/0')!, '203.0.113.7')).toBe(true);
    const host = parsePrefix('192.168.0.10/32')!;
    expect(prefixContains(host, '192.168.0.10')).toBe(true);
    expect(prefixContains(host, '192.168.0.11')).toBe(false);
    expect(prefixContains(parsePrefix('128.0.0.1/1')!, '200.1.1.1')).toBe(true);
    expect(prefixContains(parsePrefix('128.0.0.1/1')!, '127.255.255.255')).toBe(false);
  });

  it('matches IPv6 and never mixes families', () => {
    const p = parsePrefix('2001:db8:1::1/64')!;
    expect(prefixContains(p, '2001:db8:1::abcd')).toBe(true);
    expect(prefixContains(p, '2001:db8:2::1')).toBe(false);
    expect(prefixContains(p, '10.1.1.1')).toBe(false);
    expect(prefixContains(parsePrefix('10.0.0.1/8')!, '2001:db8::1')).toBe(false);
  });

  it('rejects bad prefixes', () => {
    for (const t of ['10.1.1.1', '10.1.1.1/33', '10.1.1.256/24', '2001:db8::1/129', 'x/8', '10.1.1.1/-1']) expect(parsePrefix(t)).toBeNull();
  });
});

describe('addresses', () => {
  it('normalises IPs and types addresses', () => {
    expect(normalizeIp('10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(normalizeIp('10.0.0.256')).toBeNull();
    expect(addressType('00:50:56:ab:cd:ef')).toBe('mac');
    expect(addressType('10.0.0.1')).toBe('ipv4');
    expect(addressType('2001:db8::1')).toBe('ipv6');
  });
});
