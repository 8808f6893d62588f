// Builds the CLI into one ES module, dist/vouch.mjs. One file instead of ~50 modules saves about
// a fifth of a scan's wall time on start-up (module resolution and compilation), which matters
// for a tool run per commit (see bench/RESULTS.md). Type checking is `npm run typecheck`.
// better-sqlite3 (a native addon) stays external, as do the libraries vouch loads on first use
// through createRequire (fast-xml-parser, ae-cvss-calculator, yauzl).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/vouch.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  sourcemap: true,
  logLevel: 'warning',
  // bundled CommonJS dependencies call require() for Node's built-ins
  banner: { js: "import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);" },
});
