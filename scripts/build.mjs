// Builds the CLI into dist/vouch.mjs plus one chunk per command (src/cli/main.ts imports each
// command on demand): a bundle instead of ~100 modules saves about a fifth of a scan's wall time
// on start-up (module resolution and compilation), and the split keeps each command from parsing
// the others' code (signing libraries, report renderers). Type checking is `npm run typecheck`.
// better-sqlite3 (a native addon) and highs (loads its .wasm beside its own module) stay external, as do the libraries vouch loads on first use
// through createRequire (fast-xml-parser, ae-cvss-calculator, yauzl).
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true }); // no chunk of an earlier build left behind

await build({
  entryPoints: { vouch: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  // the chunks live in dist/chunks: package.json is read here, not found relative to them at run time
  define: { __VOUCH_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'highs'],
  sourcemap: true,
  logLevel: 'warning',
  // bundled CommonJS dependencies call require() for Node's built-ins
  banner: { js: "import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);" },
});
