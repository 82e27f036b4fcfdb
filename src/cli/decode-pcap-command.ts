// `ept decode pcap FILE [--json]`: streams a capture through ept's decoders and prints each frame.
// The file is read in chunks (as a `tcpdump -w -` pipe would arrive), never loaded whole.
import { createReadStream } from 'node:fs';
import { EptError } from '../core/errors.js';
import { FrameDecoder, type DecodedFrame } from '../protocols/pcap-frame-decoder.js';
import { FRAME_LINE_HEADER, formatFrameLine } from '../protocols/pcap-frame-summary.js';
import { PcapStreamReader } from '../protocols/pcap-reader.js';
import type { CliIo } from './cli-io.js';

/** Decodes `file` ('-' = stdin). Malformed frames are output, not errors; an unreadable file throws parse_error. */
export async function runDecodePcap(file: string, json: boolean, io: CliIo): Promise<void> {
  const reader = new PcapStreamReader();
  const decoder = new FrameDecoder();
  const counts = new Map<DecodedFrame['protocol'], number>();
  let frame = 0;
  if (!json) io.out(FRAME_LINE_HEADER);
  const drain = () => {
    for (let p = reader.next(); p !== null; p = reader.next()) {
      if (!p.ok) throw new EptError('parse_error', `${file}: ${p.error} at offset ${p.offset}`, { offset: p.offset });
      const f = decoder.decode(p, ++frame);
      counts.set(f.protocol, (counts.get(f.protocol) ?? 0) + 1);
      io.out(json ? JSON.stringify(f) : formatFrameLine(f));
    }
  };
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of input) {
      reader.push(chunk as Buffer);
      drain();
    }
  } catch (err) {
    if (err instanceof EptError) throw err;
    throw new EptError('parse_error', `${file}: cannot read: ${(err as Error).message} at offset 0`, { offset: 0 }, { cause: err });
  }
  const end = reader.finish();
  if (end) throw new EptError('parse_error', `${file}: ${end.error} at offset ${end.offset}`, { offset: end.offset });
  if (!json) io.out(`${frame} frames: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
}
