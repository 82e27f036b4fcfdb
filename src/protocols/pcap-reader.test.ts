import { describe, expect, it } from 'vitest';
import { PcapStreamReader, readPcapFile, type PcapPacket } from './pcap-reader.js';
import { bytes, ethernet, writePcap, writePcapng } from './pcap-writer.testkit.js';

const frameA = ethernet('ff:ff:ff:ff:ff:ff', '00:11:22:33:44:55', 0x0806, new Array<number>(28).fill(1));
const frameB = ethernet('01:80:c2:00:00:0e', '00:11:22:33:44:66', 0x88cc, [2, 7, 4, 0, 0x11, 0x22, 0x33, 0x44, 0x66]);
const frames = [
  { data: frameA, tsSec: 1_700_000_000, tsFrac: 123456 },
  { data: frameB, tsSec: 1_700_000_001, tsFrac: 5, origLen: 200 },
];

const summary = (p: PcapPacket) => ({ ts: [p.tsSec, p.tsNsec], cap: p.capLen, orig: p.origLen, link: p.linkType, bytes: [...p.data.subarray(p.start, p.start + p.capLen)] });

/** Feeds `file` in chunks of `size` bytes, reading packets as they complete. */
function readChunked(file: Uint8Array, size: number) {
  const r = new PcapStreamReader();
  const out: ReturnType<typeof summary>[] = [];
  for (let o = 0; o < file.length; o += size) {
    r.push(file.subarray(o, o + size));
    for (let p = r.next(); p !== null; p = r.next()) {
      if (!p.ok) return { out, error: p };
      out.push(summary(p));
    }
  }
  return { out, error: r.finish() };
}

describe('classic pcap', () => {
  it.each([
    ['little-endian µs', { littleEndian: true, nanos: false }],
    ['big-endian µs', { littleEndian: false, nanos: false }],
    ['little-endian ns', { littleEndian: true, nanos: true }],
    ['big-endian ns', { littleEndian: false, nanos: true }],
  ])('reads %s files, whole and byte by byte', (_name, opts) => {
    const file = writePcap(frames, opts);
    const whole = readPcapFile(file);
    expect(whole.error).toBeNull();
    expect(whole.format).toBe('pcap');
    expect(whole.packets.map(summary)).toEqual([
      { ts: [1_700_000_000, opts.nanos ? 123456 : 123456000], cap: frameA.length, orig: frameA.length, link: 1, bytes: [...frameA] },
      { ts: [1_700_000_001, opts.nanos ? 5 : 5000], cap: frameB.length, orig: 200, link: 1, bytes: [...frameB] },
    ]);
    for (const size of [1, 3, 17, 1000]) expect(readChunked(file, size)).toEqual({ out: whole.packets.map(summary), error: null });
  });

  it('reads the link type (Linux cooked) from the header', () => {
    expect(readPcapFile(writePcap(frames, { linkType: 113 })).packets[0]?.linkType).toBe(113);
  });

  it('reports a record cut short with the offset of the record', () => {
    const file = writePcap(frames);
    const cut = file.subarray(0, file.length - 5);
    const r = readPcapFile(cut);
    expect(r.packets).toHaveLength(1);
    expect(r.error).toMatchObject({ ok: false, offset: 24 + 16 + frameA.length, short: true });
    expect(r.error?.error).toMatch(/truncated record/);
  });

  it('reports a bad magic number, a truncated header and an empty file', () => {
    expect(readPcapFile(bytes([1, 2, 3, 4, 5, 6, 7, 8])).error?.error).toMatch(/not a pcap or pcapng file \(magic 0x01020304\)/);
    expect(readPcapFile(writePcap([]).subarray(0, 10)).error).toMatchObject({ offset: 0, short: true });
    expect(readPcapFile(new Uint8Array(0)).error?.error).toMatch(/empty file/);
  });

  it('rejects an absurd record length instead of waiting for gigabytes', () => {
    const file = writePcap([{ data: frameA }]);
    file.set([0xff, 0xff, 0xff, 0x7f], 24 + 8);
    const r = readPcapFile(file);
    expect(r.error).toMatchObject({ offset: 32, short: false });
    expect(r.error?.error).toMatch(/exceeds/);
  });

  it('keeps failing after an error (no resynchronisation on garbage)', () => {
    const r = new PcapStreamReader();
    r.push(bytes([9, 9, 9, 9]));
    const first = r.next();
    expect(first).toMatchObject({ ok: false });
    r.push(writePcap(frames));
    expect(r.next()).toBe(first);
  });
});

describe('pcapng', () => {
  it.each([
    ['little-endian', { littleEndian: true }],
    ['big-endian', { littleEndian: false }],
  ])('reads %s enhanced packet blocks, whole and in chunks', (_n, opts) => {
    const file = writePcapng(frames, opts);
    const whole = readPcapFile(file);
    expect(whole.error).toBeNull();
    expect(whole.format).toBe('pcapng');
    expect(whole.packets.map(summary)).toEqual([
      { ts: [1_700_000_000, 123456000], cap: frameA.length, orig: frameA.length, link: 1, bytes: [...frameA] },
      { ts: [1_700_000_001, 5000], cap: frameB.length, orig: 200, link: 1, bytes: [...frameB] },
    ]);
    for (const size of [1, 7, 64]) expect(readChunked(file, size)).toEqual({ out: whole.packets.map(summary), error: null });
  });

  it('honours if_tsresol (nanoseconds) with 64-bit timestamps beyond 2^53', () => {
    const r = readPcapFile(writePcapng([{ data: frameA, tsSec: 1_700_000_000, tsFrac: 987654321 }], { tsresol: 9 }));
    expect(r.packets[0]).toMatchObject({ tsSec: 1_700_000_000, tsNsec: 987654321 });
  });

  it('reads simple packet blocks, cut to the snap length', () => {
    const r = readPcapFile(writePcapng([{ data: frameA }], { simple: true, snapLen: 20, linkType: 276 }));
    expect(r.error).toBeNull();
    expect(r.packets[0]).toMatchObject({ capLen: 20, origLen: frameA.length, linkType: 276 });
  });

  it('reports a block whose trailing length disagrees, and a truncated block, with offsets', () => {
    const file = writePcapng(frames);
    const broken = new Uint8Array(file);
    broken[file.length - 4] = 0x55;
    const secondStart = file.length - (12 + 20 + frameB.length + ((4 - (frameB.length % 4)) % 4));
    expect(readPcapFile(broken).error).toMatchObject({ offset: file.length - 4 });
    expect(readPcapFile(file.subarray(0, file.length - 2)).error).toMatchObject({ offset: secondStart, short: true });
  });

  it('rejects a packet block for an interface that was never declared', () => {
    const file = new Uint8Array(writePcapng([{ data: frameA }]));
    // First EPB follows SHB (28) and IDB (20); its interface id is at +8.
    file[28 + 20 + 8] = 3;
    expect(readPcapFile(file).error?.error).toMatch(/undeclared interface 3/);
  });
});
