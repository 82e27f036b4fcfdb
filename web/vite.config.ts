// Builds the web UI into web/dist, which the server serves at /. `npm run build:web`.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  // `npx vite --config web/vite.config.ts` for UI work against a server on :8080.
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
