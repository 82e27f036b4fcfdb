// Interning of the small values every learn repeats (flag sets, interface and encap names), so a
// million endpoints share a few hundred strings and arrays instead of holding millions of copies.
// Caches are bounded: past the bound, values are simply not interned.

const MAX_FLAG_SETS = 4096;
const MAX_STRINGS = 65_536;
const flagSets = new Map<string, readonly string[]>();
const strings = new Map<string, string>();

/** The shared, frozen empty flag list. */
export const NO_FLAGS: readonly string[] = Object.freeze([]);

/** The flag list of an APIC comma-separated flags attribute, shared between equal lists. */
export function internFlags(raw: string): readonly string[] {
  if (raw === '') return NO_FLAGS;
  let f = flagSets.get(raw);
  if (!f) {
    f = Object.freeze(raw.split(','));
    if (flagSets.size < MAX_FLAG_SETS) flagSets.set(raw, f);
  }
  return f;
}

/** A shared instance of a short, often repeated string (interface, encap). */
export function intern(s: string): string {
  const c = strings.get(s);
  if (c !== undefined) return c;
  if (strings.size < MAX_STRINGS) strings.set(s, s);
  return s;
}
