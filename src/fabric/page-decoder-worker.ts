// The endpoint page decoder's thread: decodes pages of endpoint class queries (JSON, objects, DNs,
// addresses) and posts the observations back as columns, so the event loop does not parse them.
import { parentPort } from 'node:worker_threads';
import { decodeEndpointPage, toColumns, toPortableError } from './endpoint-page.js';

interface Request {
  id: number;
  fabric: string;
  url: string;
  /** The page as text, or its UTF-8 bytes (moved here). */
  body: string | Uint8Array;
  ts: number;
}

const port = parentPort;
if (!port) throw new Error('page-decoder-worker must run as a worker thread');
port.on('message', (m: Request) => {
  try {
    const text = typeof m.body === 'string' ? m.body : Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength).toString('utf8');
    const page = toColumns(m.fabric, decodeEndpointPage(m.fabric, m.url, text, m.ts));
    port.postMessage({ id: m.id, page }, [page.nums.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id: m.id, error: toPortableError(err) });
  }
});
