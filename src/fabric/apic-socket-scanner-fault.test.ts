// A frame the byte scanner fails on (a bug in it, simulated here) is read as text: the events still
// arrive, the failure is logged, the socket stays up.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ApicFrame from '../protocols/apic-frame.js';
import type { ApicObject } from '../protocols/apic-objects.js';
import { subscribeClass } from './apic-query.js';
import { ApicSession } from './apic-session.js';
import { ApicSocket } from './apic-socket.js';
import { MiniApic } from './mini-apic.testkit.js';

vi.mock('../protocols/apic-frame.js', async (importOriginal) => {
  const real = await importOriginal<typeof ApicFrame>();
  return {
    ...real,
    scanApicFrame: (frame: Buffer) => {
      if (frame.includes('00:00:00:00:00:0f')) throw new RangeError('scanner bug');
      return real.scanApicFrame(frame);
    },
  };
});

let a: MiniApic;
let s: ApicSession;
let socket: ApicSocket | null = null;

beforeEach(async () => {
  a = new MiniApic();
  await a.listen();
  s = new ApicSession({ urls: [a.url], username: 'admin', password: 'pw', logger: pino({ level: 'silent' }) });
  await s.login();
});

afterEach(async () => {
  socket?.close();
  s.close();
  await a.close();
});

describe('ApicSocket with a failing frame scanner', () => {
  it('reads the frame as text, logs the failure and keeps the socket up', async () => {
    const logLines: string[] = [];
    const gaps: string[] = [];
    socket = new ApicSocket({
      url: s.socketUrl(),
      tls: s.socketTls(),
      apic: s,
      subscriptionTimeoutSeconds: 60,
      logger: pino({ level: 'debug' }, { write: (l: string) => void logLines.push(l) }),
      onGap: (r) => void gaps.push(r),
    });
    await socket.open();
    const sub = await subscribeClass(s, 'epmMacEp');
    const got: ApicObject[][] = [];
    socket.subscribe(sub.subscriptionId, (o) => void got.push(o));
    const dn = (m: string): string => `topology/pod-1/node-101/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep/mac-${m}`;
    a.event('epmMacEp', { dn: dn('00:00:00:00:00:0f'), status: 'created' });
    a.event('epmMacEp', { dn: dn('00:00:00:00:00:01'), status: 'created' });
    await vi.waitFor(() => expect(got).toHaveLength(2));
    // The failed frame came through the text parser (attributes), the next one through the scanner.
    expect(got[0]?.[0]?.attrs['dn']).toBe(dn('00:00:00:00:00:0f'));
    expect(got[0]?.[0]?.obs).toBeUndefined();
    expect(got[1]?.[0]?.obs).toMatchObject({ addr: '00:00:00:00:00:01' });
    expect(logLines.some((l) => l.includes('websocket frame scanner failed') && l.includes('scanner bug'))).toBe(true);
    expect(socket.stats.connected).toBe(true);
    expect(socket.stats.malformedFrames).toBe(0);
    expect(gaps).toEqual([]);
  });
});
