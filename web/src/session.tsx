// Who is logged in. The token lives in sessionStorage (per tab, gone with the tab); the role decides
// which actions are shown — the server enforces it regardless.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, getToken, setToken, setUnauthorizedHandler } from './api';
import type { Role } from './types';

export interface Session {
  username: string;
  role: Role;
}

interface SessionApi {
  session: Session | null;
  loading: boolean;
  login(username: string, password: string): Promise<void>;
  logout(): void;
}

const Ctx = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(getToken() !== null);

  const logout = useCallback(() => {
    setToken(null);
    setSession(null);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(logout);
    if (!getToken()) return;
    api<{ username: string; role: Role }>('GET', '/api/v1/auth/me')
      .then((me) => setSession({ username: me.username, role: me.role }))
      .catch(() => logout())
      .finally(() => setLoading(false));
  }, [logout]);

  const login = useCallback(async (username: string, password: string) => {
    const r = await api<{ token: string; role: Role }>('POST', '/api/v1/auth/login', { username, password });
    setToken(r.token);
    setSession({ username, role: r.role });
  }, []);

  return <Ctx.Provider value={{ session, loading, login, logout }}>{children}</Ctx.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export function useIsAdmin(): boolean {
  return useSession().session?.role === 'admin';
}
