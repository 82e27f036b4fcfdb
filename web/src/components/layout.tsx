// The frame of every page: header with navigation, the search box and the user menu.
import type { ReactNode } from 'react';
import { Link, useRoute } from '../router';
import { useSession } from '../session';
import { SearchBox } from './search-box';

export function Layout({ children }: { children: ReactNode }) {
  const { session, logout } = useSession();
  const { path } = useRoute();
  const current = (p: string) => (p === '/' ? path === '/' : path.startsWith(p)) ? 'page' : undefined;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          ept
        </Link>
        <nav aria-label="Main">
          <Link to="/" aria-current={current('/')}>
            Dashboard
          </Link>
          <Link to="/fabrics" aria-current={current('/fabrics')}>
            Fabrics
          </Link>
          <Link to="/hosts" aria-current={current('/hosts')}>
            Hosts
          </Link>
          <Link to="/topology" aria-current={current('/topology')}>
            Topology
          </Link>
          <Link to="/dependencies" aria-current={current('/dependencies')}>
            Dependencies
          </Link>
          {session?.role === 'admin' && (
            <Link to="/agents" aria-current={current('/agents')}>
              Agents
            </Link>
          )}
        </nav>
        <SearchBox />
        <div className="user">
          <span>
            {session?.username} <span className="badge">{session?.role}</span>
          </span>
          <button type="button" className="link" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main">{children}</main>
    </>
  );
}

export function ErrorBox({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error.message}
    </p>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`state state-${state}`}>{state}</span>;
}

/** Keyset paging over a stack of cursors: back pops one, forward pushes the page's next cursor. */
export function Pager({
  cursors,
  next,
  setCursors,
  info,
  labels = ['← Previous', 'Next →'],
}: {
  cursors: string[];
  next: string | null | undefined;
  setCursors: (f: (c: string[]) => string[]) => void;
  /** Appended to "Page N". */
  info?: string;
  labels?: [string, string];
}) {
  return (
    <div className="pager">
      <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
        {labels[0]}
      </button>
      <span className="muted">
        Page {cursors.length + 1}
        {info ? ` · ${info}` : ''}
      </span>
      <button type="button" disabled={!next} onClick={() => next && setCursors((c) => [...c, next])}>
        {labels[1]}
      </button>
    </div>
  );
}
