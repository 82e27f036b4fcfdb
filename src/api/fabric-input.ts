// Checks of fabric input beyond what the JSON schema can say, with messages that name the field.
import { EptError } from '../core/errors.js';
import { validateSettings, type FabricSettings } from '../core/settings.js';
import type { FabricConfig, Store } from '../store/store.js';

/** Throws bad_request naming the first URL that is not http(s). */
export function checkApicUrls(urls: readonly string[]): void {
  urls.forEach((u, i) => {
    let ok = false;
    try {
      const p = new URL(u);
      ok = (p.protocol === 'http:' || p.protocol === 'https:') && p.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) throw new EptError('bad_request', `apic.urls[${i}]: must be an http:// or https:// URL, got '${u}'`, [{ field: `body/apic/urls/${i}`, message: 'must be an http:// or https:// URL' }]);
  });
}

/** Validates a settings document; bad_request with details [{setting, message}]. */
export function checkSettings(input: unknown): Partial<FabricSettings> {
  const r = validateSettings(input);
  if (!r.ok) {
    const msg = r.errors.map((e) => (e.setting ? `${e.setting}: ${e.message}` : e.message)).join('; ');
    throw new EptError('bad_request', `invalid settings: ${msg}`, r.errors);
  }
  return r.value;
}

export async function requireFabric(store: Store, name: string): Promise<FabricConfig> {
  const f = await store.getFabric(name);
  if (!f) throw new EptError('not_found', `fabric '${name}' does not exist`);
  return f;
}
