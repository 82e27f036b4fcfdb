// The UI's one way to the server: JSON over fetch with the session's bearer token. Errors keep the
// server's stable {error:{code,message,details}} so forms can show field messages.

/** A failed API call, with the server's error code and per-field details when it gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  /** [{field, message}] from a validation error, when present. */
  fields(): { field: string; message: string }[] {
    return Array.isArray(this.details) ? (this.details as { field: string; message: string }[]).filter((d) => typeof d?.field === 'string') : [];
  }
}

let token: string | null = sessionStorage.getItem('ept.token');
let onUnauthorized: () => void = () => {};

export function setToken(t: string | null): void {
  token = t;
  if (t) sessionStorage.setItem('ept.token', t);
  else sessionStorage.removeItem('ept.token');
}
export function getToken(): string | null {
  return token;
}
/** Called when the server rejects the token (expired): the app returns to the login page. */
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>;

export function withQuery(path: string, q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)));
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (signal) init.signal = signal;
  const res = await fetch(path, init);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad_response', `${method} ${path}: the server answered ${res.status} with non-JSON`);
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const err = new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `${method} ${path} failed with ${res.status}`, e?.details);
    if (res.status === 401 && path !== '/api/v1/auth/login') onUnauthorized();
    throw err;
  }
  return data as T;
}

export const get = <T>(path: string, q?: Query, signal?: AbortSignal): Promise<T> => api<T>('GET', withQuery(path, q), undefined, signal);
