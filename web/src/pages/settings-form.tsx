// A fabric's analysis settings: every setting from /settings/schema, validated here (type and
// range, message beside the field) and by the server (its field messages shown the same way).
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, get } from '../api';
import { ErrorBox } from '../components/layout';
import { useLoad } from '../hooks';
import { useIsAdmin } from '../session';
import type { SettingSpec } from '../types';

type Values = Record<string, string | boolean>;

function check(spec: SettingSpec, v: string | boolean): string | null {
  if (spec.type === 'boolean') return null;
  const s = String(v).trim();
  if (!/^-?\d+$/.test(s)) return 'Enter a whole number';
  const n = Number(s);
  if (spec.min !== undefined && n < spec.min) return `Must be at least ${spec.min}`;
  if (spec.max !== undefined && n > spec.max) return `Must be at most ${spec.max}`;
  return null;
}

/** The setting a server field error names: "body/rapid_threshold" or a message mentioning it. */
function fieldOf(e: { field: string; message: string }, names: string[]): string | undefined {
  return names.find((n) => e.field.endsWith(`/${n}`) || e.field === n || e.message.includes(n));
}

export function SettingsForm({ fabric }: { fabric: string }) {
  const admin = useIsAdmin();
  const path = `/api/v1/fabrics/${encodeURIComponent(fabric)}/settings`;
  const specs = useLoad((signal) => get<{ items: SettingSpec[] }>('/api/v1/settings/schema', {}, signal), []);
  const current = useLoad((signal) => get<{ settings: Record<string, boolean | number>; overridden: string[] }>(path, {}, signal), [path]);
  const [values, setValues] = useState<Values>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<Error | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (!current.data) return;
    const v: Values = {};
    for (const [k, x] of Object.entries(current.data.settings)) v[k] = typeof x === 'boolean' ? x : String(x);
    setValues(v);
  }, [current.data]);

  const items = specs.data?.items ?? [];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    setFormError(null);
    const errs: Record<string, string> = {};
    const overrides: Record<string, boolean | number> = {};
    for (const s of items) {
      const v = values[s.name] ?? (typeof s.default === 'boolean' ? s.default : String(s.default));
      const err = check(s, v);
      if (err) errs[s.name] = err;
      const typed = s.type === 'boolean' ? Boolean(v) : Number(String(v).trim());
      if (typed !== s.default) overrides[s.name] = typed;
    }
    setErrors(errs);
    if (Object.keys(errs).length) {
      setFormError(new Error(`Fix ${Object.keys(errs).length} setting(s) before saving.`));
      return;
    }
    try {
      await api('PUT', path, overrides);
      setSaved('Settings saved and applied.');
      current.reload();
    } catch (err) {
      if (err instanceof ApiError) {
        const byField: Record<string, string> = {};
        for (const f of err.fields()) {
          const n = fieldOf(f, items.map((s) => s.name));
          if (n) byField[n] = f.message;
        }
        setErrors(byField);
      }
      setFormError(err instanceof Error ? err : new Error(String(err)));
    }
  };

  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <ErrorBox error={specs.error ?? current.error} />
      <form className="settings" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset disabled={!admin}>
          <legend className="sr-only">Analysis settings of {fabric}</legend>
          {items.map((s) => {
            const id = `set-${s.name}`;
            const err = errors[s.name];
            const over = current.data?.overridden.includes(s.name);
            return (
              <div key={s.name} className={`field${err ? ' invalid' : ''}`}>
                {s.type === 'boolean' ? (
                  <label htmlFor={id} className="check">
                    <input id={id} type="checkbox" checked={Boolean(values[s.name] ?? s.default)} onChange={(e) => setValues({ ...values, [s.name]: e.target.checked })} />
                    <span className="mono">{s.name}</span>
                  </label>
                ) : (
                  <>
                    <label htmlFor={id} className="mono">
                      {s.name}
                    </label>
                    <input id={id} inputMode="numeric" value={String(values[s.name] ?? s.default)} aria-invalid={err !== undefined} aria-describedby={`${id}-doc ${id}-err`} onChange={(e) => setValues({ ...values, [s.name]: e.target.value })} />
                  </>
                )}
                <span id={`${id}-doc`} className="doc">
                  {s.doc}
                  {s.min !== undefined && ` (${s.min}–${s.max})`}; default {String(s.default)}
                  {over && <strong> · overridden</strong>}
                </span>
                <span id={`${id}-err`} className="field-error" role={err ? 'alert' : undefined}>
                  {err}
                </span>
              </div>
            );
          })}
        </fieldset>
        <ErrorBox error={formError} />
        {saved && <p role="status" className="ok">{saved}</p>}
        {admin && <button type="submit">Save settings</button>}
      </form>
    </section>
  );
}
