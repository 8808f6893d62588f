/**
 * Go `go.mod`, read line by line as the go command's own grammar (golang.org/x/mod/modfile) has it:
 * one directive per line, or a `verb (` … `)` block of them; `//` comments; quoted tokens.
 *
 * What becomes what:
 * - `require path version` (single line or block): a component, direct unless the line carries an
 *   `// indirect` comment. Versions are kept as Go writes them (`v1.2.3`, pseudo-versions,
 *   `+incompatible`); a version that is not `v`-prefixed semver (only a go.mod nobody has run
 *   `go mod tidy` on has one) goes to `unresolved`.
 * - `replace old [v] => new [v]`: a replaced requirement is reported at the replacement's path and
 *   version (a versioned replace applies to that version only and wins over a versionless one).
 *   A local-path replacement (`=> ./fork`) has no version: it goes to `unresolved`. A replace of a
 *   module that is not required changes nothing.
 * - `exclude path version`: a requirement on an excluded version is not a component (Go would pick
 *   another version, which the file does not name): it goes to `unresolved`.
 * - `go 1.x` and `toolchain go1.x.y[-suffix]`: a synthetic `stdlib` component at the toolchain's
 *   version when there is one, else the `go` version (as osv-scalibr reports it; OSV publishes
 *   standard-library advisories under the module name `stdlib`).
 * - For `go 1.16` and older (and no `go` line, which Go reads as 1.16), go.mod lists only the
 *   direct requirements; the modules the build uses are in the `go.sum` beside it (`x.mod` → `x.sum`). Its modules
 *   with a content hash (not only a `/go.mod` hash) are added as indirect components, without edges
 *   (go.sum does not say who pulls them in), as osv-scalibr does. Newer go.mod files list every
 *   module the build needs, so go.sum is not read.
 *
 * Edges: the root (`root:<file>`) → every required module (direct and `// indirect`: the file
 * records them all at the top level). Scope is always prod: go.mod has no dev dependencies.
 * `module`, `godebug`, `retract`, `tool` and `ignore` carry no packages and are skipped.
 */
import { readBeside } from '../../io/input.js';
import path from 'node:path';
import type { Component } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';

const ID = 'go/go-mod';
const ECOSYSTEM = 'Go';

export const goModExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['go.mod'],

  wants(p: string): boolean {
    return baseName(p) === 'go.mod';
  },

  sniff(head: string): boolean {
    return /^\s*(?:\/\/.*\n\s*)*module\s+\S+/.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path);
    const mod = parseGoMod(text, input.path);
    let goSum: string | undefined;
    if (mod.needsGoSum && !input.path.includes('!')) {
      // `go.mod` → `go.sum` beside it (and `x.mod` → `x.sum`, as osv-scalibr pairs its fixtures)
      const sumPath = input.path.endsWith('.mod') ? `${input.path.slice(0, -4)}.sum` : path.join(path.dirname(input.path), 'go.sum');
      // read inside the input's root; a FIFO, device, link out of the root or huge file fails the input
      goSum = (await readBeside(input, sumPath))?.toString('utf8');
      if (goSum !== undefined) return buildInventory(mod, input.path, { path: sumPath, text: goSum });
    }
    return buildInventory(mod, input.path, undefined);
  },
};

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return p.slice(i + 1);
}

// ---------------------------------------------------------------------------------------------
// parsing

export interface GoRequire {
  path: string;
  version: string;
  indirect: boolean;
  line: number;
}

export interface GoReplace {
  oldPath: string;
  oldVersion: string | undefined;
  newPath: string;
  newVersion: string | undefined;
  line: number;
}

export interface GoMod {
  module: string | undefined;
  go: { version: string; line: number } | undefined;
  toolchain: { version: string; line: number } | undefined;
  requires: GoRequire[];
  replaces: GoReplace[];
  excludes: { path: string; version: string; line: number }[];
  /** go ≤ 1.16 (or no go line): go.mod lists direct requirements only, go.sum the rest */
  needsGoSum: boolean;
}

const KNOWN = new Set(['module', 'go', 'toolchain', 'godebug', 'require', 'replace', 'exclude', 'retract', 'tool', 'ignore']);
const BLOCK_VERBS = new Set(['require', 'replace', 'exclude', 'retract', 'tool', 'godebug', 'ignore']);

/** Parse the text of a go.mod (`file` is its display path). Throws INPUT_PARSE with the line. */
export function parseGoMod(text: string, file: string): GoMod {
  const mod: GoMod = {
    module: undefined,
    go: undefined,
    toolchain: undefined,
    requires: [],
    replaces: [],
    excludes: [],
    needsGoSum: false,
  };
  const fail = (line: number, msg: string): never => {
    throw new VouchError('INPUT_PARSE', `not a valid go.mod: ${msg}`, { path: file, position: { line } });
  };
  let block: { verb: string; line: number } | undefined;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = text.slice(start, end);
    start = end + 1;
    const { tokens, comment } = tokenize(raw, lineNo, fail);
    if (!tokens.length) {
      if (end === text.length) break;
      continue;
    }
    if (block) {
      if (tokens.length === 1 && tokens[0] === ')') {
        block = undefined;
      } else {
        directive(mod, block.verb, tokens, comment, lineNo, fail);
      }
    } else {
      const verb = tokens[0]!;
      if (!KNOWN.has(verb)) fail(lineNo, `unknown directive: ${verb}`);
      if (tokens.length === 2 && tokens[1] === '(') {
        if (!BLOCK_VERBS.has(verb)) fail(lineNo, `${verb} does not take a block`);
        block = { verb, line: lineNo };
      } else if (tokens.length === 3 && tokens[1] === '(' && tokens[2] === ')') {
        // `require ()`: an empty block
      } else {
        directive(mod, verb, tokens.slice(1), comment, lineNo, fail);
      }
    }
    if (end === text.length) break;
  }
  if (block) fail(block.line, `${block.verb} block opened here is never closed (truncated file?)`);
  mod.needsGoSum = mod.go === undefined || goMinor(mod.go.version) <= 16;
  return mod;
}

function directive(
  mod: GoMod,
  verb: string,
  args: string[],
  comment: string,
  line: number,
  fail: (line: number, msg: string) => never,
): void {
  switch (verb) {
    case 'module':
      if (args.length !== 1) fail(line, 'usage: module module/path');
      mod.module = args[0];
      return;
    case 'go':
      if (args.length !== 1 || !/^\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?$/.test(args[0]!)) fail(line, 'usage: go 1.23');
      mod.go = { version: args[0]!, line };
      return;
    case 'toolchain':
      if (args.length !== 1 || !args[0]!.startsWith('go')) fail(line, 'usage: toolchain go1.23.4');
      mod.toolchain = { version: args[0]!, line };
      return;
    case 'require':
      if (args.length !== 2) fail(line, 'usage: require module/path v1.2.3');
      mod.requires.push({ path: args[0]!, version: args[1]!, indirect: /^\s*indirect\s*(?:;|$)/.test(comment), line });
      return;
    case 'exclude':
      if (args.length !== 2) fail(line, 'usage: exclude module/path v1.2.3');
      mod.excludes.push({ path: args[0]!, version: args[1]!, line });
      return;
    case 'replace': {
      const arrow = args.indexOf('=>');
      if (arrow !== 1 && arrow !== 2) fail(line, 'usage: replace module/path [v1.2.3] => other/module v1.4.5 | ../local/dir');
      const rhs = args.slice(arrow + 1);
      if (rhs.length !== 1 && rhs.length !== 2) fail(line, 'usage: replace module/path [v1.2.3] => other/module v1.4.5 | ../local/dir');
      if (rhs.length === 1 && !isLocalPath(rhs[0]!)) fail(line, `replacement module ${rhs[0]} needs a version`);
      mod.replaces.push({
        oldPath: args[0]!,
        oldVersion: arrow === 2 ? args[1] : undefined,
        newPath: rhs[0]!,
        newVersion: rhs[1],
        line,
      });
      return;
    }
    default:
      // godebug, retract, tool, ignore: nothing to extract
      return;
  }
}

/** Splits a line into tokens (bare words, "quoted" and `raw` strings) and its `//` comment. */
function tokenize(
  raw: string,
  line: number,
  fail: (line: number, msg: string) => never,
): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '/' && raw[i + 1] === '/') {
      return { tokens, comment: raw.slice(i + 2) };
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < n && raw[j] !== '"') {
        if (raw[j] === '\\' && j + 1 < n) j++;
        s += raw[j];
        j++;
      }
      if (j >= n) fail(line, 'unterminated quoted string');
      tokens.push(s);
      i = j + 1;
    } else if (c === '`') {
      const j = raw.indexOf('`', i + 1);
      if (j < 0) fail(line, 'unterminated raw string');
      tokens.push(raw.slice(i + 1, j));
      i = j + 1;
    } else {
      let j = i;
      while (j < n && !' \t\r()"`'.includes(raw[j]!) && !(raw[j] === '/' && raw[j + 1] === '/')) j++;
      tokens.push(raw.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment: '' };
}

function isLocalPath(p: string): boolean {
  return p.startsWith('./') || p.startsWith('../') || p.startsWith('/') || p === '.' || p === '..' ||
    /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('.\\') || p.startsWith('..\\');
}

/** `1.16` → 16, `1.21.3` → 21; anything odd → a large number (a modern file). */
function goMinor(v: string): number {
  const m = /^1\.(\d+)/.exec(v);
  return m ? Number(m[1]) : 1000;
}

// ---------------------------------------------------------------------------------------------
// building the inventory

/** Go's canonical module version: v-prefixed semver (pseudo-versions and +incompatible included). */
const GO_VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function goPurl(modulePath: string, version: string): string {
  const i = modulePath.lastIndexOf('/');
  return buildPurl(
    i > 0
      ? { type: 'golang', namespace: modulePath.slice(0, i), name: modulePath.slice(i + 1), version }
      : { type: 'golang', name: modulePath, version },
  );
}

function buildInventory(mod: GoMod, file: string, goSum: { path: string; text: string } | undefined): Inventory {
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  graph.addRoot(rootId, mod.module ?? file);

  const exact = new Map<string, GoReplace>();
  const anyVersion = new Map<string, GoReplace>();
  for (const r of mod.replaces) {
    if (r.oldVersion !== undefined) exact.set(`${r.oldPath}@${r.oldVersion}`, r);
    else anyVersion.set(r.oldPath, r);
  }
  const excluded = new Set(mod.excludes.map((e) => `${e.path}@${e.version}`));

  const add = (name: string, version: string, direct: boolean, lines: number[], at: string): void => {
    let purl: string;
    try {
      purl = goPurl(name, version);
    } catch (e) {
      warnings.push(`${at}: ${name}@${version}: ${(e as Error).message}; skipped`);
      return;
    }
    const c: Component = {
      purl,
      ecosystem: ECOSYSTEM,
      name,
      version,
      scope: 'prod',
      direct,
      locations: lines.map((line) => ({ path: file, line })),
    };
    graph.add(c);
    graph.addEdge(rootId, purl);
  };

  for (const req of mod.requires) {
    const at = `line ${req.line}`;
    const key = `${req.path}@${req.version}`;
    if (excluded.has(key)) {
      const reason = `version ${req.version} is excluded by this go.mod; the version Go selects instead is not recorded`;
      warnings.push(`${at}: ${req.path}: ${reason}`);
      unresolved.push({ name: req.path, ecosystem: ECOSYSTEM, spec: req.version, line: req.line, reason });
      continue;
    }
    const rep = exact.get(key) ?? anyVersion.get(req.path);
    let name = req.path;
    let version = req.version;
    const lines = [req.line];
    if (rep) {
      if (rep.newVersion === undefined) {
        const reason = `replaced by the local directory ${rep.newPath} (line ${rep.line}); no version`;
        warnings.push(`${at}: ${req.path}@${req.version}: ${reason}`);
        // the module is in the build under its own path; its code comes from the folder, which has no version
        unresolved.push({ name: req.path, ecosystem: ECOSYSTEM, spec: `${req.path}@${req.version} => ${rep.newPath}`, line: req.line, reason });
        continue;
      }
      name = rep.newPath;
      version = rep.newVersion;
      lines.push(rep.line);
    }
    if (!GO_VERSION.test(version)) {
      const reason = `version "${version}" is not a canonical Go module version`;
      warnings.push(`${at}: ${name}: ${reason}`);
      unresolved.push({ name, ecosystem: ECOSYSTEM, spec: version, line: req.line, reason });
      continue;
    }
    add(name, version, !req.indirect, lines, at);
  }

  // the standard library, at the toolchain's version (`go1.23.6-xyz` → 1.23.6), else the go line's
  const tc = mod.toolchain && /^go(\d+(?:\.\d+)*)/.exec(mod.toolchain.version);
  const std = tc ? { version: tc[1]!, line: mod.toolchain!.line } : mod.go;
  if (std) {
    const purl = buildPurl({ type: 'golang', name: 'stdlib', version: std.version });
    graph.add({
      purl,
      ecosystem: ECOSYSTEM,
      name: 'stdlib',
      version: std.version,
      scope: 'prod',
      direct: true,
      locations: [{ path: file, line: std.line }],
    });
    graph.addEdge(rootId, purl);
  }

  if (goSum) readGoSum(graph, goSum.path, goSum.text, warnings);
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}

/** go.sum lines `path version[/go.mod] h1:hash`: modules with a content hash become indirect components. */
function readGoSum(graph: DependencyGraph, file: string, text: string, warnings: string[]): void {
  const lines = text.split('\n');
  let bad = 0;
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i]!.trim().split(/\s+/);
    if (parts.length === 1 && parts[0] === '') continue;
    if (parts.length !== 3 || !parts[2]!.includes(':')) {
      bad++;
      continue;
    }
    const [name, version] = parts as [string, string];
    if (version.endsWith('/go.mod') || !GO_VERSION.test(version)) continue;
    let purl: string;
    try {
      purl = goPurl(name, version);
    } catch {
      bad++;
      continue;
    }
    if (graph.components.has(purl)) continue;
    graph.add({
      purl,
      ecosystem: ECOSYSTEM,
      name,
      version,
      scope: 'prod',
      direct: false,
      locations: [{ path: file, line: i + 1 }],
    });
  }
  if (bad) warnings.push(`${file}: ${bad} line(s) that are not go.sum entries were skipped`);
}
