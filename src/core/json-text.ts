// Text that JSON writes as it is, for serialisers that build JSON from templates (the simulator's
// imdata entries, the store's move findings) and fall back to JSON.stringify for anything else.

/** Printable ASCII without quote or backslash: JSON.stringify would write it unchanged. */
const AS_IS = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** True when JSON.stringify(s) is s between quotes. */
export function jsonAsIs(s: string): boolean {
  return AS_IS.test(s);
}
