// The search box on every page: type-ahead across all fabrics and hosts by MAC (any notation) or IP
// prefix (and host name).
// Arrow keys move through suggestions, Enter opens one (or the full result page), Escape closes.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { get } from '../api';
import { endpointPath, hostPath, nodeLabel } from '../format';
import { navigate } from '../router';
import type { EndpointSummary, HostList, HostSummary, Page } from '../types';

const SUGGESTIONS = 10;
const HOST_SUGGESTIONS = 5;

/** A suggestion: an endpoint of a fabric, or a host reported by an agent. */
type Suggestion = { kind: 'endpoint'; ep: EndpointSummary } | { kind: 'host'; host: HostSummary };

export function SearchBox() {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const term = q.trim();
    if (!term) {
      setItems([]);
      setError(null);
      return;
    }
    const ac = new AbortController();
    // Debounce: one request per pause in typing, the previous one cancelled.
    const t = setTimeout(() => {
      Promise.all([
        get<Page<EndpointSummary>>('/api/v1/search', { q: term, limit: SUGGESTIONS }, ac.signal),
        get<HostList>('/api/v1/hosts', { q: term, limit: HOST_SUGGESTIONS }, ac.signal),
      ]).then(
        ([eps, hosts]) => {
          setItems([...eps.items.map((ep): Suggestion => ({ kind: 'endpoint', ep })), ...hosts.items.map((host): Suggestion => ({ kind: 'host', host }))]);
          setError(null);
          setActive(-1);
        },
        (e: unknown) => !ac.signal.aborted && setError(e instanceof Error ? e.message : String(e)),
      );
    }, 150);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [q]);

  const go = (s: Suggestion) => {
    setOpen(false);
    setQ('');
    navigate(s.kind === 'endpoint' ? endpointPath(s.ep.fabric, s.ep.vnid, s.ep.addr) : hostPath(s.host.hostId));
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(items.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(-1, a - 1));
    } else if (e.key === 'Escape') {
      setOpen(false);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const pick = items[active];
      if (pick) go(pick);
      else if (q.trim()) {
        setOpen(false);
        navigate(`/search?q=${encodeURIComponent(q.trim())}`);
      }
    }
  };

  const showList = open && q.trim() !== '';
  return (
    <div className="search" role="search">
      <label htmlFor={`${listId}-input`} className="sr-only">
        Search endpoints and hosts by MAC, IP or host name
      </label>
      <input
        id={`${listId}-input`}
        ref={inputRef}
        type="search"
        placeholder="Search MAC, IP or host…"
        autoComplete="off"
        spellCheck={false}
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKey}
      />
      {showList && (
        <ul id={listId} role="listbox" className="suggestions" aria-label="Matching endpoints and hosts">
          {error && <li className="error">{error}</li>}
          {!error && items.length === 0 && <li className="muted">No endpoint or host matches “{q.trim()}”</li>}
          {items.map((s, i) => (
            <li
              key={s.kind === 'endpoint' ? `${s.ep.fabric}/${s.ep.vnid}/${s.ep.addr}` : `host/${s.host.hostId}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(ev) => {
                ev.preventDefault();
                go(s);
              }}
            >
              {s.kind === 'endpoint' ? (
                <>
                  <span className="mono">{s.ep.addr}</span> <span className="muted">{s.ep.fabric}</span>{' '}
                  <span className="muted">{s.ep.current ? `${nodeLabel(s.ep.current.node)} ${s.ep.current.ifId}` : s.ep.deletedTs ? 'deleted' : 'no local learn'}</span>
                </>
              ) : (
                <>
                  <span>{s.host.hostname}</span> <span className="muted">host</span> <span className="muted mono">{s.host.ips.slice(0, 2).join(' ')}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
