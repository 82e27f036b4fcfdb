// Lets plain `node` run the project's TypeScript sources (test/support/netns-host-main.ts and the
// src/ it imports) for the network-namespace end-to-end test: each simulated host runs its agent as a
// separate process inside its namespaces, and dist/ may be stale or missing while the sources are
// being edited. `node --import ./netns-ts-loader.mjs file.ts`: `./x.js` specifiers fall back to
// `./x.ts`, and .ts files are transpiled (types stripped) with the installed TypeScript, no type check.
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

// Imported by --import on the main thread: register this same file as the hooks module (which the
// loader thread evaluates again, hence the guard).
if (isMainThread) register(import.meta.url);

let ts;

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw err;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  ts ??= (await import('typescript')).default;
  const fileName = fileURLToPath(url);
  const out = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, inlineSourceMap: true },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
