// The capabilities document: what this agent cannot see here, so the server can say so instead of
// showing an empty list as if there were nothing.
import type { ModuleDocument } from '../protocols/agent-report.js';

type Missing = ModuleDocument<'capabilities'>['missing'][number];

/** Problems by module; sources set and clear their own entries on every pass. */
export class Capabilities {
  private readonly entries = new Map<string, Missing>();

  /** Records (reason given) or clears (undefined) one problem, keyed by `key`. */
  set(key: string, module: string, reason: string | undefined): void {
    if (reason === undefined) this.entries.delete(key);
    else this.entries.set(key, { module: module.slice(0, 64), reason: reason.slice(0, 1024) });
  }

  /** Clears every entry whose key starts with `prefix` (a source re-stating its per-item problems). */
  clearPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  document(): ModuleDocument<'capabilities'> {
    return { missing: [...this.entries.values()].slice(0, 64) };
  }
}
