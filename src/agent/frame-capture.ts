// Live capture of LLDP, CDP, ARP and IPv6 ND: one `tcpdump -w -` per interface, its pcap stream
// decoded by ept's own reader and frame decoder. A tcpdump that exits is restarted with backoff; a
// missing tcpdump or a refused interface is recorded for the capabilities document.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { FrameDecoder, type DecodedFrame } from '../protocols/pcap-frame-decoder.js';
import { PcapStreamReader } from '../protocols/pcap-reader.js';

/**
 * LLDP to its three destinations (nearest bridge, non-TPMR bridge, customer bridge), CDP (SNAP PID
 * 0x2000 to Cisco's multicast), ARP, and ICMPv6 types 133-137 (ND without extension headers).
 */
export const CAPTURE_FILTER =
  '(ether proto 0x88cc and (ether dst 01:80:c2:00:00:0e or ether dst 01:80:c2:00:00:03 or ether dst 01:80:c2:00:00:00))' +
  ' or (ether dst 01:00:0c:cc:cc:cc and ether[20:2] == 0x2000)' +
  ' or arp' +
  ' or (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)';

export interface FrameCaptureOptions {
  /** Called for every decoded frame (LLDP, CDP, ARP, NDP, or malformed). */
  onFrame(iface: string, frame: DecodedFrame): void;
  logger: Logger;
  /** Put before tcpdump's argv, e.g. ['ip', 'netns', 'exec', 'ns1'] (tests capture inside a namespace). */
  commandPrefix?: string[];
  tcpdumpPath?: string;
  filter?: string;
  /** First restart delay after tcpdump exits; doubles up to 60 s. */
  restartDelayMs?: number;
}

interface Session {
  child?: ChildProcess;
  timer?: NodeJS.Timeout;
  delayMs: number;
  lastError?: string;
  frames: number;
}

export class FrameCapture {
  private readonly sessions = new Map<string, Session>();
  private stopping = false;

  constructor(private readonly o: FrameCaptureOptions) {}

  /** Captures on exactly these interfaces from now on. */
  setInterfaces(names: readonly string[]): void {
    const want = new Set(names);
    for (const [name, s] of this.sessions) {
      if (want.has(name)) continue;
      this.sessions.delete(name);
      clearTimeout(s.timer);
      s.child?.kill('SIGTERM');
    }
    for (const name of want) {
      if (this.sessions.has(name)) continue;
      const s: Session = { delayMs: this.o.restartDelayMs ?? 1000, frames: 0 };
      this.sessions.set(name, s);
      this.start(name, s);
    }
  }

  /** Interface → why capture is not working there (absent when it is). */
  problems(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, s] of this.sessions) if (s.lastError && !s.child) out.set(name, s.lastError);
    return out;
  }

  frameCount(iface: string): number {
    return this.sessions.get(iface)?.frames ?? 0;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const exits: Promise<void>[] = [];
    for (const s of this.sessions.values()) {
      clearTimeout(s.timer);
      const c = s.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) continue;
      exits.push(
        new Promise((resolve) => {
          const hard = setTimeout(() => c.kill('SIGKILL'), 2000);
          c.once('exit', () => {
            clearTimeout(hard);
            resolve();
          });
          c.kill('SIGTERM');
        }),
      );
    }
    this.sessions.clear();
    await Promise.all(exits);
  }

  private start(iface: string, s: Session): void {
    const argv = [...(this.o.commandPrefix ?? []), this.o.tcpdumpPath ?? 'tcpdump', '-i', iface, '-Q', 'in', '-U', '-w', '-', this.o.filter ?? CAPTURE_FILTER];
    const log = this.o.logger.child({ iface });
    const reader = new PcapStreamReader();
    const decoder = new FrameDecoder();
    let stderr = '';
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    s.child = child;
    child.stdout?.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let p = reader.next(); p !== null; p = reader.next()) {
        if (!p.ok) {
          s.lastError = `tcpdump stream: ${p.error} at offset ${p.offset}`;
          child.kill('SIGTERM'); // a corrupt stream cannot resynchronise: start a new one
          return;
        }
        s.frames++;
        s.delayMs = this.o.restartDelayMs ?? 1000;
        try {
          this.o.onFrame(iface, decoder.decode(p, s.frames));
        } catch (err) {
          log.error({ err }, 'frame handler failed');
        }
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-2048);
    });
    child.on('error', (err) => {
      s.lastError = `${argv[0]}: ${err.message}`;
    });
    child.on('close', (code, signal) => {
      if (s.child === child) s.child = undefined;
      if (this.stopping || this.sessions.get(iface) !== s) return;
      const why = stderr.trim().split('\n').filter((l) => !l.startsWith('listening on')).slice(-1)[0];
      s.lastError ??= `tcpdump exited (${signal ?? code})${why ? `: ${why}` : ''}`;
      if (why && !s.lastError.includes(why)) s.lastError = `tcpdump exited (${signal ?? code}): ${why}`;
      log.warn({ error: s.lastError, retryMs: s.delayMs }, 'capture stopped; restarting');
      s.timer = setTimeout(() => {
        s.lastError = undefined;
        this.start(iface, s);
      }, s.delayMs);
      s.delayMs = Math.min(s.delayMs * 2, 60_000);
    });
  }
}
