// Result shapes shared by ept's frame decoders (pcap, Ethernet, LLDP, CDP, ARP, NDP).

/**
 * Why a decoder gave up. `short` means the bytes ended before a length said they would: in a capture
 * cut by its snap length that is truncation, not a malformed frame, so the caller can tell them apart.
 */
export interface DecodeFailure {
  ok: false;
  /** What is wrong, naming the field. */
  error: string;
  /** Byte offset of the offending field, relative to the start of the frame or buffer given. */
  offset: number;
  /** True when the data ran out (a length or a required element past the end). */
  short: boolean;
}

/** Builds a failure; offsets are made relative to `base` (the frame start). */
export function decodeFailure(error: string, offset: number, base: number, short = false): DecodeFailure {
  return { ok: false, error, offset: offset - base, short };
}

/** Largest capture record or block accepted; a bigger length means a corrupt file, and waiting for it would stall a stream. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
