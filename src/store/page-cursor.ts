// Opaque keyset cursors: the sort key of the last item of a page, base64url-encoded JSON. Keyset
// (not OFFSET) keeps pages stable while rows are written between requests.
import { EptError } from '../core/errors.js';

/** The type of each position of a cursor's key: 's' string, 'n' number. */
export type CursorShape = readonly ('s' | 'n')[];

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor for the same listing; anything else is a bad_request. */
export function decodeCursor(cursor: string, shape: CursorShape): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  const ok =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((v, i) => (shape[i] === 's' ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v)));
  if (!ok) throw new EptError('bad_request', `invalid cursor '${cursor.slice(0, 64)}': not a cursor of this listing`);
  return key as (string | number)[];
}
