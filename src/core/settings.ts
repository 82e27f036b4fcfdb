// Per-fabric analysis settings, with EPT's names and defaults (REFERENCE-aci.md).

/** How a setting is checked. */
type Spec =
  | { type: 'boolean'; default: boolean; doc: string }
  | { type: 'integer'; default: number; min: number; max: number; doc: string };

/** Every per-fabric setting: its type, default, range and a one-line description. */
export const SETTING_SPECS = {
  analyze_move: { type: 'boolean', default: true, doc: 'report endpoint moves' },
  analyze_offsubnet: { type: 'boolean', default: true, doc: 'report IPs learned outside their BD subnets' },
  analyze_stale: { type: 'boolean', default: true, doc: 'report stale learns' },
  analyze_rapid: { type: 'boolean', default: true, doc: 'detect rapidly changing endpoints' },
  stale_no_local: { type: 'boolean', default: true, doc: 'report remote learns when no local learn exists' },
  stale_multiple_local: { type: 'boolean', default: true, doc: 'report a second local learn as stale' },
  rapid_threshold: { type: 'integer', default: 2048, min: 512, max: 65536, doc: 'events per minute per endpoint above which it is rapid' },
  rapid_holdtime: { type: 'integer', default: 600, min: 0, max: 86400, doc: 'seconds an endpoint stays rapid' },
  refresh_rapid: { type: 'boolean', default: true, doc: 'refresh a rapid endpoint from the APIC after its hold time' },
  max_per_node_endpoint_events: { type: 'integer', default: 64, min: 8, max: 1024, doc: 'history kept per endpoint per node' },
  max_endpoint_events: { type: 'integer', default: 64, min: 8, max: 1024, doc: 'move/offsubnet/stale/rapid records kept per endpoint' },
  offsubnet_delay: { type: 'integer', default: 10, min: 0, max: 3600, doc: 'seconds before an offsubnet learn is confirmed' },
  stale_delay: { type: 'integer', default: 45, min: 0, max: 3600, doc: 'seconds before a stale learn is confirmed' },
  stale_no_local_delay: { type: 'integer', default: 315, min: 0, max: 3600, doc: 'seconds before a stale learn with no local anywhere is confirmed' },
  relearn_window: { type: 'integer', default: 60, min: 0, max: 3600, doc: 'seconds within which a create after a delete is not a new learn' },
  subscription_refresh_time: { type: 'integer', default: 60, min: 30, max: 36000, doc: 'seconds between subscription refreshes' },
  session_timeout: { type: 'integer', default: 5400, min: 60, max: 86400, doc: 'seconds before the APIC session is renewed by a fresh login' },
  heartbeat_interval: { type: 'integer', default: 30, min: 5, max: 3600, doc: 'seconds between websocket keepalive pings to the APIC' },
  heartbeat_retries: { type: 'integer', default: 3, min: 1, max: 10, doc: 'unanswered pings before the connection counts as lost (then resync)' },
  // Added for remediation (EPT's names; off by default, as in EPT).
  auto_clear_stale: { type: 'boolean', default: false, doc: 'clear confirmed stale learns on their node automatically' },
  auto_clear_offsubnet: { type: 'boolean', default: false, doc: 'clear confirmed offsubnet learns on their node automatically' },
  auto_clear_rate_limit: { type: 'integer', default: 10, min: 1, max: 1000, doc: 'automatic clears per minute per fabric, at most' },
  endpoint_retention_days: { type: 'integer', default: 30, min: 1, max: 3650, doc: 'days a deleted endpoint is kept' },
} as const satisfies Record<string, Spec>;

export type SettingName = keyof typeof SETTING_SPECS;

/** The resolved settings of one fabric. */
export type FabricSettings = {
  readonly [K in SettingName]: (typeof SETTING_SPECS)[K]['default'] extends boolean ? boolean : number;
};

export const DEFAULT_SETTINGS: FabricSettings = Object.freeze(
  Object.fromEntries(Object.entries(SETTING_SPECS).map(([k, s]) => [k, s.default])) as FabricSettings,
);

/** One problem with a settings document: which setting and why. */
export interface SettingError {
  setting: string;
  message: string;
}

/** Validates a partial settings document; unknown names and wrong types are errors. */
export function validateSettings(input: unknown): { ok: true; value: Partial<FabricSettings> } | { ok: false; errors: SettingError[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ setting: '', message: 'settings must be a JSON object' }] };
  }
  const errors: SettingError[] = [];
  const value: Record<string, boolean | number> = {};
  for (const [name, raw] of Object.entries(input)) {
    const spec = (SETTING_SPECS as Record<string, Spec>)[name];
    if (!spec) {
      errors.push({ setting: name, message: 'unknown setting' });
      continue;
    }
    if (spec.type === 'boolean') {
      if (typeof raw !== 'boolean') errors.push({ setting: name, message: 'must be true or false' });
      else value[name] = raw;
    } else if (typeof raw !== 'number' || !Number.isInteger(raw)) {
      errors.push({ setting: name, message: 'must be an integer' });
    } else if (raw < spec.min || raw > spec.max) {
      errors.push({ setting: name, message: `must be between ${spec.min} and ${spec.max}` });
    } else {
      value[name] = raw;
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: value as Partial<FabricSettings> };
}

/** Defaults overlaid with stored overrides. */
export function resolveSettings(overrides: Partial<FabricSettings> | undefined): FabricSettings {
  return Object.freeze({ ...DEFAULT_SETTINGS, ...(overrides ?? {}) });
}
