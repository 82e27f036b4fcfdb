// The search box on every page: type-ahead across all fabrics by MAC (any notation) or IP prefix.
// Arrow keys move through suggestions, Enter opens one (or the full result page), Escape closes.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { get } from '../api';
import { endpointPath, nodeLabel } from '../format';
import { navigate } from '../router';
import type { EndpointSummary, Page } from '../types';

const SUGGESTIONS = 10;

export function SearchBox() {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<EndpointSummary[]>([]);
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
      get<Page<EndpointSummary>>('/api/v1/search', { q: term, limit: SUGGESTIONS }, ac.signal).then(
        (p) => {
          setItems(p.items);
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

  const go = (e: EndpointSummary) => {
    setOpen(false);
    setQ('');
    navigate(endpointPath(e.fabric, e.vnid, e.addr));
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
        Search endpoints by MAC or IP
      </label>
      <input
        id={`${listId}-input`}
        ref={inputRef}
        type="search"
        placeholder="Search MAC or IP (prefix)…"
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
        <ul id={listId} role="listbox" className="suggestions" aria-label="Matching endpoints">
          {error && <li className="error">{error}</li>}
          {!error && items.length === 0 && <li className="muted">No endpoint matches “{q.trim()}”</li>}
          {items.map((e, i) => (
            <li
              key={`${e.fabric}/${e.vnid}/${e.addr}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(ev) => {
                ev.preventDefault();
                go(e);
              }}
            >
              <span className="mono">{e.addr}</span> <span className="muted">{e.fabric}</span>{' '}
              <span className="muted">{e.current ? `${nodeLabel(e.current.node)} ${e.current.ifId}` : e.deletedTs ? 'deleted' : 'no local learn'}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
