// Syslog channel: RFC 5424 or RFC 3164 over UDP, TCP (RFC 6587 octet counting) or TLS (RFC 5425).
// Stream transports keep one connection and reconnect on the next message after a failure.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from 'pino';
import type { FindingKind } from '../core/types.js';
import { errorText, type DeliveryResult, type Notification, type Notifier } from './notification.js';
import {
  SYSLOG_FACILITIES,
  SYSLOG_SEVERITIES,
  type NotificationSettings,
  type SyslogSeverityName,
} from './notification-settings.js';
import { formatRfc3164, formatRfc5424, octetCountingFrame, type SyslogHeader } from './syslog-format.js';

export type SyslogSettings = Pick<
  NotificationSettings,
  | 'syslog_server'
  | 'syslog_port'
  | 'syslog_protocol'
  | 'syslog_format'
  | 'syslog_facility'
  | 'syslog_severity'
  | 'syslog_severity_move'
  | 'syslog_severity_offsubnet'
  | 'syslog_severity_stale'
  | 'syslog_severity_rapid'
  | 'syslog_ca_file'
>;

export interface SyslogNotifierOptions {
  settings: SyslogSettings;
  logger: Logger;
  /** HOSTNAME field (default: this host's name). */
  hostname?: string;
  /** Connect timeout of stream transports, ms. */
  connectTimeoutMs?: number;
}

/** Severity number for a kind: its own setting, else syslog_severity. */
export function severityFor(s: SyslogSettings, kind: FindingKind): number {
  const own = s[`syslog_severity_${kind}`];
  const name = (own || s.syslog_severity) as SyslogSeverityName;
  return SYSLOG_SEVERITIES[name] ?? SYSLOG_SEVERITIES.warning;
}

export class SyslogNotifier implements Notifier {
  readonly channel = 'syslog' as const;
  private readonly s: SyslogSettings;
  private readonly log: Logger;
  private readonly hostname: string;
  private readonly facility: number;
  private readonly connectTimeoutMs: number;
  private udp: UdpSocket | null = null;
  private stream: Promise<Socket> | null = null;
  private closed = false;

  constructor(opts: SyslogNotifierOptions) {
    this.s = opts.settings;
    this.log = opts.logger.child({ component: 'notify-syslog' });
    this.hostname = opts.hostname ?? osHostname();
    this.facility =
      SYSLOG_FACILITIES[this.s.syslog_facility as keyof typeof SYSLOG_FACILITIES] ?? SYSLOG_FACILITIES.local7;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  }

  /** The message as it goes on the wire (without framing). */
  format(n: Notification): string {
    const h: SyslogHeader = {
      facility: this.facility,
      severity: severityFor(this.s, n.finding.kind),
      hostname: this.hostname,
      procId: String(process.pid),
    };
    return this.s.syslog_format === 'rfc3164' ? formatRfc3164(n, h) : formatRfc5424(n, h);
  }

  async send(n: Notification): Promise<DeliveryResult> {
    if (this.closed) return { ok: false, channel: 'syslog', attempts: 0, error: 'notifier closed' };
    const msg = this.format(n);
    try {
      if (this.s.syslog_protocol === 'udp') await this.sendUdp(msg);
      else await this.sendStream(octetCountingFrame(msg));
      return { ok: true, channel: 'syslog', attempts: 1 };
    } catch (err) {
      return {
        ok: false,
        channel: 'syslog',
        attempts: 1,
        error: `${this.s.syslog_protocol}://${this.s.syslog_server}:${this.s.syslog_port}: ${errorText(err)}`,
      };
    }
  }

  private sendUdp(msg: string): Promise<void> {
    if (!this.udp) {
      this.udp = createSocket(isIP(this.s.syslog_server) === 6 ? 'udp6' : 'udp4');
      this.udp.on('error', (err) => this.log.warn({ err }, 'syslog udp socket error'));
      this.udp.unref();
    }
    const sock = this.udp;
    return new Promise((resolve, reject) =>
      sock.send(msg, this.s.syslog_port, this.s.syslog_server, (err) => (err ? reject(err) : resolve())),
    );
  }

  private async sendStream(frame: Buffer): Promise<void> {
    this.stream ??= this.connect();
    let sock: Socket;
    try {
      sock = await this.stream;
    } catch (err) {
      this.stream = null;
      throw err;
    }
    await new Promise<void>((resolve, reject) =>
      sock.write(frame, (err) => {
        if (err) {
          this.dropStream(sock);
          reject(err);
        } else resolve();
      }),
    );
  }

  private connect(): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const host = this.s.syslog_server;
      const port = this.s.syslog_port;
      const tls = this.s.syslog_protocol === 'tls';
      let sock: Socket;
      try {
        sock = tls
          ? tlsConnect({
              host,
              port,
              servername: isIP(host) ? undefined : host,
              ca: this.s.syslog_ca_file ? readFileSync(this.s.syslog_ca_file) : undefined,
            })
          : netConnect({ host, port });
      } catch (err) {
        reject(err as Error);
        return;
      }
      const ready = tls ? 'secureConnect' : 'connect';
      sock.setTimeout(this.connectTimeoutMs, () =>
        sock.destroy(new Error(`no connection within ${this.connectTimeoutMs} ms`)),
      );
      sock.once(ready, () => {
        sock.setTimeout(0);
        resolve(sock);
      });
      sock.once('error', reject);
      // After the connection is up, errors only invalidate it: the next send reconnects.
      sock.on('error', (err) => this.log.warn({ err, host, port }, 'syslog connection error'));
      sock.once('close', () => this.dropStream(sock));
      // Servers send nothing on a syslog stream; drain anything so it cannot back up.
      sock.resume();
    });
  }

  private dropStream(sock: Socket): void {
    const current = this.stream;
    if (!current) return;
    void current.then(
      (s) => {
        if (s === sock && this.stream === current) this.stream = null;
      },
      () => undefined,
    );
    sock.destroy();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.udp?.close();
    this.udp = null;
    const s = this.stream;
    this.stream = null;
    if (s) {
      const sock = await s.catch(() => null);
      if (sock && !sock.destroyed) {
        await new Promise<void>((resolve) => {
          sock.once('close', () => resolve());
          sock.end();
        });
      }
    }
  }
}
