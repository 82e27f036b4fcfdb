import { describe, expect, it } from 'vitest';
import { parseProcNetSockets, ProcAddressDecoder, TCP_LISTEN, TCP_TIME_WAIT, UDP_UNCONNECTED } from './proc-net-sockets.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const TCP6_HEADER = '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('parseProcNetSockets', () => {
  const le = new ProcAddressDecoder(true);

  it('decodes IPv4 in host (little-endian) byte order and hex ports', () => {
    const text = `${HEADER}   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n`;
    const { sockets, errors } = parseProcNetSockets(text, 'tcp', le);
    expect(errors).toEqual([]);
    expect(sockets).toEqual([{ proto: 'tcp', localIp: '127.0.0.1', localPort: 22, remoteIp: '0.0.0.0', remotePort: 0, state: TCP_LISTEN, uid: 0, inode: 12345 }]);
  });

  it('decodes IPv6 as four host-order words: ::1, ::ffff:v4-mapped and a global address', () => {
    const text =
      TCP6_HEADER +
      '   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 5489 1 0 100 0 0 10 0\n' +
      '   1: 0000000000000000FFFF00000100007F:1F91 0000000000000000FFFF00000A00000A:D431 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 0 20 4 30 10 -1\n' +
      // fd00::2 → words 000000FD 00000000 00000000 02000000 in little-endian order
      '   2: 000000FD000000000000000002000000:0050 B80D0120000000000000000001000000:C350 01 00000000:00000000 00:00000000 00000000     0        0 778 1 0 20 4 30 10 -1\n';
    const { sockets } = parseProcNetSockets(text, 'tcp', le, '/proc/net/tcp6');
    expect(sockets.map((s) => [s.localIp, s.localPort, s.remoteIp, s.remotePort, s.uid])).toEqual([
      ['::1', 8080, '::', 0, 106],
      ['::ffff:127.0.0.1', 8081, '::ffff:10.0.0.10', 54321, 1000],
      ['fd00::2', 80, '2001:db8::1', 50000, 0],
    ]);
  });

  it('reads big-endian files word for word', () => {
    const be = new ProcAddressDecoder(false);
    const text = `${HEADER}   0: 7F000001:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n`;
    expect(parseProcNetSockets(text, 'tcp', be).sockets[0]?.localIp).toBe('127.0.0.1');
  });

  it('keeps TIME_WAIT rows with inode 0 and UDP unconnected (07) sockets', () => {
    const tcp = `${HEADER}   5: 0100007F:0016 0100007F:A2B4 06 00000000:00000000 03:00000FA0 00000000     0        0 0 3 0000000000000000\n`;
    const [tw] = parseProcNetSockets(tcp, 'tcp', le).sockets;
    expect(tw).toMatchObject({ state: TCP_TIME_WAIT, inode: 0, remotePort: 0xa2b4 });
    const udp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n 1234: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2061 2 0000000000000000 0\n`;
    expect(parseProcNetSockets(udp, 'udp', le).sockets[0]).toMatchObject({ proto: 'udp', localIp: '0.0.0.0', localPort: 68, state: UDP_UNCONNECTED, inode: 2061 });
  });

  it('reports bad lines with file and line number and goes on', () => {
    const text = `${HEADER}   0: ZZZZ:0016 00000000:0000 0A 0 0 0 0 0 1\n   1: garbage\n   2: 0100007F:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1\n`;
    const r = parseProcNetSockets(text, 'tcp', le, '/x/tcp');
    expect(r.sockets.map((s) => s.localPort)).toEqual([23]);
    expect(r.errors).toEqual(["/x/tcp: line 2: bad address 'ZZZZ:0016' or '00000000:0000'", '/x/tcp: line 3: expected at least 10 columns, got 2']);
  });
});
