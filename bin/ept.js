#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=48 --heap-growing-percent=40
// Entry point: runs the compiled CLI (npm run build produces dist/).
// The runtime settings above are the server's (README, "Runtime settings"): 48 MiB young-generation
// semi-spaces let short-lived objects (a build's, and live events' between two scavenges) die young
// instead of being copied to the old generation; a 1.5x heap growing factor (V8's default lets the heap reach ~2x its live size) and
// two malloc arenas keep the resident size close to what is live.
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('ept: dist/ is missing; run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
});
