// Builds the CLI twice from src/cli/main.ts:
// - dist/vouch.cjs, what bin/vouch runs: one CommonJS file, so that bin/vouch can compile it with
//   vm.Script and V8's code cache (Node 20 has no code cache for ES modules, and no
//   module.enableCompileCache). Compiling vouch's code was most of a small scan's start-up (about
//   160 M of the 330 M instructions vouch added to `node -e 0`, callgrind); loading it from the
//   cache, without the ES module loader, removes most of that (see bench/RESULTS.md). Commands are
//   still initialised on demand (esbuild turns main.ts's import() into lazy module initialisers).
// - dist/vouch-scan.cjs and dist/vouch-sbom.cjs: the same for one hot command alone (below).
// - dist/vouch.mjs plus one chunk per command: the same code as ES modules, for importing vouch
//   in-process (bench/measure.mjs) and for the tests' staleness check.
// better-sqlite3 (a native addon) and highs (loads its .wasm beside its own module) stay external, as do the libraries vouch loads on first use
// through createRequire (fast-xml-parser, ae-cvss-calculator, yauzl).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true }); // no chunk (or code cache) of an earlier build left behind

const common = {
  entryPoints: { vouch: 'src/cli/main.ts' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'highs'],
  sourcemap: true,
  logLevel: 'warning',
};
// the bundle is not beside package.json at run time: its version is read here
const version = JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version);

// better-sqlite3 finds its addon with the `bindings` package, which probes a dozen paths; that and
// loading its 15 files through Node's CommonJS loader (no code cache) cost ~37 M instructions,
// against ~3 M for loading the addon itself. In dist/vouch.cjs its JavaScript is bundled (and
// cached), and `bindings` is replaced by a require of the one file npm installs.
const ADDON_STUB = `const path = require('node:path');
module.exports = (name) => require(path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', name));`;
const betterSqliteAddon = {
  name: 'better-sqlite3-addon',
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, (args) =>
      /[\\/]better-sqlite3[\\/]/.test(args.importer) ? { path: 'bindings', namespace: 'vouch-addon' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'vouch-addon' }, () => ({ contents: ADDON_STUB, loader: 'js' }));
  },
};

/**
 * One CommonJS bundle for bin/vouch (see the top of this file), made ASCII, with one key for the
 * module wrappers and lazily loaded built-ins (below). `entry` is an esbuild entry point or the
 * contents of one (stdin, resolved from src/cli/).
 */
async function buildCjs(outfile, entry, minimum) {
  await build({
    ...common,
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { entryPoints: undefined, stdin: { ...entry, resolveDir: 'src/cli', loader: 'ts', sourcefile: 'entry.ts' } }),
    external: ['highs', 'better-sqlite3/package.json'],
    plugins: [betterSqliteAddon],
    outfile,
    format: 'cjs',
    // import() of better-sqlite3 and highs becomes require(): no ES module loader at run time
    supported: { 'dynamic-import': false },
    define: { __VOUCH_VERSION__: version, 'import.meta.url': '__vouchImportMetaUrl' },
    banner: {
      js: [
        "const __vouchImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
        // see lazyBuiltins below
        'const __vouchLazyBuiltin = (id) => { let m; const load = () => (m ??= require(id)); return new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load() }); };',
      ].join('\n'),
    },
  });
  // bin/vouch reads the bundle as Latin-1 (a one-byte string: no UTF-8 decoding of megabytes on every
  // start), so it must be ASCII. esbuild escapes every non-ASCII character of code (charset ascii is
  // its default); the only ones left are in comments, where a '?' for each UTF-16 unit changes no
  // behaviour and no source-map column.
  //
  // esbuild wraps each of the ~1,400 lazily initialised modules as __esm({ "src/path.ts"() {...} }) or
  // __commonJS({ "node_modules/path.js"(exports, module) {...} }): an object literal with a key of
  // its own, all created at load. Each new key adds a map transition to Object's root map, and
  // inserting into that ever longer sorted list made these literals ~16% of a one-package scan's
  // instructions (callgrind: Runtime_CreateObjectLiteral, TransitionsAccessor::Insert). One key for
  // all costs one transition; it only renames the init functions in stack traces.
  const cjs = readFileSync(outfile, 'utf8');
  let wrappers = 0;
  const shared = cjs.replace(/^(var \w+ = __(?:esm|commonJS)\(\{\n {2})"(?:[^"\\\n]|\\.)*"\(/gm, (_, head) => {
    wrappers++;
    return `${head}init(`;
  });
  if (wrappers < minimum.wrappers) throw new Error(`build: expected esbuild's __esm/__commonJS wrappers in ${outfile}, found ${wrappers}`);
  // Node's crypto, zlib and child_process modules cost 15-50 M instructions each to load (callgrind,
  // against node -e 0), fs/promises ~18 M (with the readline and watcher modules it requires),
  // stream/promises and stream ~27 M; modules on a scan's path require them at initialisation for
  // a function they may never call (commander's child_process for executable subcommands, which
  // vouch has none of; the image reader's pipeline). This Node builds no code cache for its own
  // modules, so each is parsed and compiled on every start. Loaded on first use instead: esbuild
  // reaches them only through property reads (import_node_crypto.createHash, childProcess.spawn,
  // import_promises3.stat), which a proxy forwards. (A default import, `__toESM(require(…))`,
  // copies every property at once and stays as it is.)
  let lazy = 0;
  const lazyBuiltins = shared.replace(
    /^(\s+)((?:var )?(?:import_node_(?:crypto|zlib|child_process|stream)\d*|import_promises\d*|childProcess)) = require\("(node:(?:crypto|zlib|child_process|fs\/promises|stream\/promises|stream))"\);$/gm,
    (_, indent, name, id) => {
      lazy++;
      return `${indent}${name} = __vouchLazyBuiltin("${id}");`;
    },
  );
  if (lazy < minimum.lazy) throw new Error(`build: expected requires of node:crypto, zlib and child_process in ${outfile}, found ${lazy}`);
  writeFileSync(outfile, lazyBuiltins.replace(/[\u0080-\uffff]/g, '?'));
}

await buildCjs('dist/vouch.cjs', 'src/cli/main.ts', { wrappers: 100, lazy: 10 });
// The hot commands each in a bundle of their own, with no other command's code: reading the whole
// bundle (7 MB) and deserializing its code cache were most of what vouch adds to a small scan's
// start-up (bench/RESULTS.md). The program is the same (program.ts); main.ts registers only the
// command named on the command line, so `vouch scan …` behaves alike from either bundle.
// bin/vouch lists these names too (HOT).
for (const [command, file, register] of [
  ['scan', './scan.js', 'registerScan'],
  ['sbom', './sbom.js', 'registerSbom'],
]) {
  await buildCjs(
    `dist/vouch-${command}.cjs`,
    {
      contents: `import { runProgram } from './program.js';
export const main = (argv: string[]): Promise<void> => runProgram(argv, { ${command}: async () => (await import('${file}')).${register} });`,
    },
    { wrappers: 100, lazy: 1 },
  );
}

await build({
  ...common,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  format: 'esm',
  define: { __VOUCH_VERSION__: version },
  // bundled CommonJS dependencies call require() for Node's built-ins
  banner: { js: "import { createRequire as __vouchCreateRequire } from 'node:module'; const require = __vouchCreateRequire(import.meta.url);" },
});
