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

/** Joined text of each flag list seen (lists are interned, so one string per distinct list). */
const flagTexts = new WeakMap<readonly string[], string>();

/**
 * The comma-separated text of a flag list (the APIC's own form), without a join per call. Flags are
 * APIC tokens (local, vpc-attached, cached, …): none contains a comma.
 */
export function flagsText(f: readonly string[]): string {
  if (f.length === 0) return '';
  if (f.length === 1) return f[0] as string;
  let t = flagTexts.get(f);
  if (t === undefined) {
    t = f.join(',');
    flagTexts.set(f, t);
  }
  return t;
}
