// Content hash of a module document that does not depend on array order or key order, and ignores
// fields that only say "still there" (lastSeenTs): a document is resent when its content changes,
// not every time a timestamp moves.
import { createHash } from 'node:crypto';

/** Keys left out of the hash. */
export const VOLATILE_KEYS: ReadonlySet<string> = new Set(['lastSeenTs']);

/** sha256 hex (64 chars) of the canonical form of `doc`. */
export function stableHash(doc: unknown, ignore: ReadonlySet<string> = VOLATILE_KEYS): string {
  return createHash('sha256').update(canonical(doc, ignore)).digest('hex');
}

/** JSON with sorted keys and arrays sorted by their elements' canonical text. */
export function canonical(v: unknown, ignore: ReadonlySet<string>): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x, ignore));
    items.sort();
    return `[${items.join(',')}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => !ignore.has(k) && o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k], ignore)}`).join(',')}}`;
}
