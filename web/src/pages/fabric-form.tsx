// Add or edit a fabric: APIC URLs, credentials, TLS options, with "Test connection" before saving.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, get } from '../api';
import { ErrorBox } from '../components/layout';
import { useLoad } from '../hooks';
import { navigate } from '../router';
import type { FabricView } from '../types';

interface Form {
  name: string;
  urls: string;
  username: string;
  password: string;
  verifyTls: boolean;
  caFile: string;
  autoStart: boolean;
}

const EMPTY: Form = { name: '', urls: '', username: '', password: '', verifyTls: true, caFile: '', autoStart: true };
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function validate(f: Form, editing: boolean): Record<string, string> {
  const e: Record<string, string> = {};
  if (!editing && !NAME.test(f.name)) e['name'] = 'Letters, digits, _ . - only, 1 to 64 characters';
  const urls = f.urls.split(/\s+/).filter(Boolean);
  if (urls.length === 0) e['urls'] = 'Enter at least one APIC URL';
  for (const u of urls) {
    if (!/^https?:\/\/[^\s/]+/.test(u)) e['urls'] = `Not an http(s) URL: ${u}`;
  }
  if (!f.username.trim()) e['username'] = 'Enter the APIC username';
  if (!editing && !f.password) e['password'] = 'Enter the APIC password';
  return e;
}

function apicOf(f: Form) {
  return { urls: f.urls.split(/\s+/).filter(Boolean), username: f.username.trim(), password: f.password, verifyTls: f.verifyTls, ...(f.caFile.trim() ? { caFile: f.caFile.trim() } : {}) };
}

export function FabricForm({ name }: { name?: string }) {
  const editing = name !== undefined;
  const existing = useLoad((signal) => (name ? get<FabricView>(`/api/v1/fabrics/${encodeURIComponent(name)}`, {}, signal) : Promise.resolve(null)), [name]);
  const [f, setF] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const x = existing.data;
    if (x) setF({ name: x.name, urls: x.apic.urls.join('\n'), username: x.apic.username, password: '', verifyTls: x.apic.verifyTls, caFile: x.apic.caFile ?? '', autoStart: x.autoStart });
  }, [existing.data]);

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF({ ...f, [k]: v });
  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (e) {
      if (e instanceof ApiError) {
        const m: Record<string, string> = {};
        for (const x of e.fields()) m[x.field.split('/').filter((p) => !/^\d+$/.test(p)).pop() ?? x.field] = x.message;
        setErrors(m);
      }
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  const test = () =>
    run(async () => {
      setResult(null);
      const errs = validate(f, false);
      delete errs['name'];
      if (!f.password) errs['password'] = 'Enter the password to test the connection';
      setErrors(errs);
      if (Object.keys(errs).length) return;
      const r = await api<{ ok: boolean; url?: string; error?: string }>('POST', '/api/v1/fabrics/test-connection', { apic: apicOf(f) });
      setResult(r.ok ? { ok: true, text: `Logged in to ${r.url ?? 'the APIC'}` } : { ok: false, text: r.error ?? 'failed' });
    });

  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const errs = validate(f, editing);
      setErrors(errs);
      if (Object.keys(errs).length) return;
      if (editing) {
        const apic: Record<string, unknown> = apicOf(f);
        if (!f.password) delete apic['password'];
        await api('PATCH', `/api/v1/fabrics/${encodeURIComponent(f.name)}`, { apic, autoStart: f.autoStart });
      } else {
        await api('POST', '/api/v1/fabrics', { name: f.name, apic: apicOf(f), autoStart: f.autoStart });
      }
      navigate(`/fabrics/${encodeURIComponent(f.name)}`);
    });
  };

  const field = (k: keyof Form, label: string, input: ReactNode, hint?: string) => (
    <div className={`field${errors[k] ? ' invalid' : ''}`}>
      <label htmlFor={`f-${k}`}>{label}</label>
      {input}
      {hint && <span className="doc">{hint}</span>}
      <span id={`f-${k}-err`} className="field-error" role={errors[k] ? 'alert' : undefined}>
        {errors[k]}
      </span>
    </div>
  );
  const aria = (k: keyof Form) => ({ id: `f-${k}`, 'aria-invalid': errors[k] !== undefined, 'aria-describedby': `f-${k}-err` });

  return (
    <>
      <h1>{editing ? `Edit fabric ${name}` : 'Add fabric'}</h1>
      <ErrorBox error={existing.error} />
      <form className="fabric-form" onSubmit={save} noValidate>
        {field('name', 'Name', <input {...aria('name')} value={f.name} disabled={editing} onChange={(e) => set('name', e.target.value)} />)}
        {field('urls', 'APIC URLs', <textarea {...aria('urls')} rows={3} value={f.urls} onChange={(e) => set('urls', e.target.value)} placeholder="https://apic1.example.net" />, 'One per line; the others are tried when one fails')}
        {field('username', 'Username', <input {...aria('username')} autoComplete="off" value={f.username} onChange={(e) => set('username', e.target.value)} />)}
        {field('password', 'Password', <input {...aria('password')} type="password" autoComplete="new-password" value={f.password} onChange={(e) => set('password', e.target.value)} />, editing ? 'Leave blank to keep the stored password' : undefined)}
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={f.verifyTls} onChange={(e) => set('verifyTls', e.target.checked)} /> Verify the APIC's TLS certificate
          </label>
        </div>
        {field('caFile', 'CA file (PEM path on the server)', <input {...aria('caFile')} value={f.caFile} onChange={(e) => set('caFile', e.target.value)} />, 'Optional: CA that signed the APIC certificate')}
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={f.autoStart} onChange={(e) => set('autoStart', e.target.checked)} /> Start tracking {editing ? 'when the server starts' : 'now and when the server starts'}
          </label>
        </div>
        {result && (
          <p role="status" className={result.ok ? 'ok' : 'error'}>
            Test connection: {result.text}
          </p>
        )}
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={() => void test()} disabled={busy}>
            Test connection
          </button>
          <button type="submit" disabled={busy}>
            {editing ? 'Save changes' : 'Add fabric'}
          </button>
        </div>
      </form>
    </>
  );
}
