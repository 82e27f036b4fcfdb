// Full search results across fabrics (Enter in the search box), paged.
import { useState } from 'react';
import { get } from '../api';
import { ErrorBox, Pager } from '../components/layout';
import { useLoad } from '../hooks';
import type { EndpointSummary, Page } from '../types';
import { EndpointTable } from './endpoint-list';

export function SearchPage({ q }: { q: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad((signal) => (q.trim() ? get<Page<EndpointSummary>>('/api/v1/search', { q, cursor, limit: 50 }, signal) : Promise.resolve({ items: [], nextCursor: null })), [q, cursor]);
  return (
    <>
      <h1>
        Endpoints matching <span className="mono">{q}</span>
      </h1>
      <ErrorBox error={page.error} />
      <EndpointTable items={page.data?.items ?? []} loading={page.loading} showFabric />
      <Pager cursors={cursors} next={page.data?.nextCursor} setCursors={setCursors} />
    </>
  );
}
