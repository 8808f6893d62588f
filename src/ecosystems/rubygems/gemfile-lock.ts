/**
 * Bundler `Gemfile.lock` (and `gems.locked`), read line by line in one pass.
 *
 * Sections start at column 0 (`GEM`, `GIT`, `PATH`, `PLUGIN SOURCE`, `PLATFORMS`, `DEPENDENCIES`,
 * `CHECKSUMS`, `RUBY VERSION`, `BUNDLED WITH`); they may come in any order.
 *
 * What becomes what:
 * - In a source section (GEM/GIT/PATH/PLUGIN SOURCE), under `specs:`, each 4-space line
 *   `name (version[-platform])` is a component at that line; the platform suffix is not part of the
 *   version (`nokogiri (1.13.6-x86_64-linux)` → 1.13.6: RubyGems versions have no `-`), so the
 *   platform builds of one gem version are one component with one location per build. GIT and
 *   PATH gems are kept, with a warning naming their source (a git revision, a local folder).
 * - The 6-space lines under a spec (`name (requirement)`) are its dependencies: edges to the gem
 *   of that name in the file (a bundle resolves one version per name).
 * - `DEPENDENCIES` lists the Gemfile's own requirements (`name`, `name (>= 1)`, `name!`): edges
 *   from the root, and those gems are direct.
 * - `CHECKSUMS` (Bundler 2.5+) `name (version[-platform]) sha256=…`: the sha256 of a component
 *   built from exactly one spec line (a gem with several platform builds has one checksum per build,
 *   none of which stands for the component).
 * - Scope is `unknown`: Gemfile groups (`:development`, `:test`) are not recorded in the lockfile.
 * - A spec line without a version goes to `unresolved`.
 *
 * A line at column 0 that is not a section header (a merge-conflict marker, another format) or a
 * malformed spec line is an INPUT_PARSE error with its line.
 */
import type { Component, Hash } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';

const ID = 'rubygems/gemfile-lock';
const ECOSYSTEM = 'RubyGems';
const NAMES = new Set(['Gemfile.lock', 'gems.locked']);
const SOURCE_SECTIONS = new Set(['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE']);

export const gemfileLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['Gemfile.lock', 'gems.locked'],

  wants(p: string): boolean {
    const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return NAMES.has(p.slice(i + 1));
  },

  sniff(head: string): boolean {
    return /^(?:GEM|GIT|PATH)\r?\n {2}remote: /m.test(head) && /^ {2}specs:/m.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parseGemfileLock(decodeText(await input.read(), input.path), input.path);
  },
};

const PLAIN_NAME = /^[a-z0-9_.-]+$/;
const PLAIN_VERSION = /^[0-9A-Za-z.]+$/;

export function gemPurl(name: string, version: string): string {
  if (PLAIN_NAME.test(name) && PLAIN_VERSION.test(version)) return `pkg:gem/${name}@${version}`;
  return buildPurl({ type: 'gem', name, version });
}

/** `name (version)` / `name (req, req)` / `name` / `name!`: the name and what is in the parentheses. */
const SPEC = /^([^\s(!]+)(!)?(?: \(([^)]*)\))?$/;

interface Spec {
  purl: string;
  line: number;
  /** the full version string of the line, platform included: the CHECKSUMS key */
  full: string;
  deps: string[];
}

/** Parse the text of a Gemfile.lock (`file` is its display path). */
export function parseGemfileLock(text: string, file: string): Inventory {
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  graph.addRoot(rootId, file);
  const fail = (line: number, msg: string): never => {
    throw new VouchError('INPUT_PARSE', `not a valid Gemfile.lock: ${msg}`, { path: file, position: { line } });
  };

  const specs: Spec[] = [];
  const byName = new Map<string, string>(); // gem name → purl
  const variants = new Map<string, number>(); // purl → spec lines
  const direct: { name: string; line: number }[] = [];
  const checksums = new Map<string, string>(); // `name full-version` → sha256 hex
  let section = '';
  let sectionLine = 0;
  let inSpecs = false;
  let sourceNote = ''; // `git <remote>@<revision>` / `path <folder>` of the current GIT/PATH section
  let current: Spec | undefined;
  const notes = new Map<string, number>(); // source note → gems from it

  let lineNo = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    lineNo++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;

    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === 0) {
      if (!/^[A-Z][A-Z ]*$/.test(line)) fail(lineNo, `unexpected "${clip(line)}" (expected a section header such as GEM or DEPENDENCIES)`);
      section = line;
      sectionLine = lineNo;
      inSpecs = false;
      sourceNote = '';
      current = undefined;
      continue;
    }
    const body = line.slice(indent);

    if (SOURCE_SECTIONS.has(section)) {
      if (indent === 2) {
        inSpecs = body === 'specs:';
        current = undefined;
        const m = /^(remote|revision|path):\s*(.*)$/.exec(body);
        if (m && section === 'GIT') {
          if (m[1] === 'remote') sourceNote = `git ${m[2]}`;
          else if (m[1] === 'revision') sourceNote += `@${m[2]}`;
        } else if (m && section === 'PATH' && m[1] === 'remote') {
          sourceNote = `the local folder ${m[2]}`;
        }
        continue;
      }
      if (!inSpecs) continue;
      if (indent === 4) {
        const m = SPEC.exec(body);
        if (!m || m[2]) fail(lineNo, `malformed spec "${clip(body)}" (expected "name (version)")`);
        const name = m![1]!;
        const full = m![3];
        current = undefined;
        if (full === undefined || full.trim() === '') {
          const reason = 'spec without a version';
          warnings.push(`line ${lineNo}: ${name}: ${reason}; skipped`);
          unresolved.push({ name, ecosystem: ECOSYSTEM, line: lineNo, reason });
          continue;
        }
        const dash = full.indexOf('-');
        const version = dash < 0 ? full : full.slice(0, dash);
        if (!/^\d/.test(version) || /[\s,]/.test(version)) {
          fail(lineNo, `malformed version "${clip(full)}" for ${name}`);
        }
        let purl: string;
        try {
          purl = gemPurl(name, version);
        } catch (e) {
          warnings.push(`line ${lineNo}: ${name}@${version}: ${(e as Error).message}; skipped`);
          continue;
        }
        const c: Component = {
          purl,
          ecosystem: ECOSYSTEM,
          name,
          version,
          scope: 'unknown',
          direct: false,
          locations: [{ path: file, line: lineNo }],
        };
        graph.add(c);
        byName.set(name, purl);
        variants.set(purl, (variants.get(purl) ?? 0) + 1);
        current = { purl, line: lineNo, full: `${name} ${full}`, deps: [] };
        specs.push(current);
        if (section !== 'GEM' && sourceNote) notes.set(sourceNote, (notes.get(sourceNote) ?? 0) + 1);
        continue;
      }
      if (indent === 6) {
        const m = SPEC.exec(body);
        if (!m) fail(lineNo, `malformed dependency "${clip(body)}"`);
        if (!current) continue; // dependency of a skipped spec
        current.deps.push(m![1]!);
        continue;
      }
      fail(lineNo, `unexpected indentation (${indent} spaces) in the ${section} section that starts at line ${sectionLine}`);
    } else if (section === 'DEPENDENCIES') {
      const m = SPEC.exec(body);
      if (!m) fail(lineNo, `malformed dependency "${clip(body)}"`);
      direct.push({ name: m![1]!, line: lineNo });
    } else if (section === 'CHECKSUMS') {
      const m = /^(\S+) \(([^)]+)\)(?: (.*))?$/.exec(body);
      if (!m) fail(lineNo, `malformed checksum "${clip(body)}"`);
      for (const part of (m![3] ?? '').split(',')) {
        const eq = part.indexOf('=');
        if (eq > 0 && part.slice(0, eq).trim() === 'sha256') {
          const hex = part.slice(eq + 1).trim();
          if (/^[0-9a-f]{64}$/i.test(hex)) checksums.set(`${m![1]} ${m![2]}`, hex.toLowerCase());
        }
      }
    }
    // PLATFORMS, RUBY VERSION, BUNDLED WITH and unknown sections carry no packages
  }

  let dangling = 0;
  let firstDangling = '';
  for (const s of specs) {
    for (const dep of s.deps) {
      const to = byName.get(dep);
      if (to === undefined) {
        // a dependency for another platform, or bundler itself: not in the bundle
        dangling++;
        firstDangling ||= `line ${s.line}: ${dep}`;
        continue;
      }
      graph.addEdge(s.purl, to);
    }
    const sha = checksums.get(s.full);
    if (sha !== undefined && variants.get(s.purl) === 1) {
      const hashes: Hash[] = [{ alg: 'sha256', value: sha }];
      graph.components.get(s.purl)!.hashes = hashes;
    }
  }
  for (const d of direct) {
    const to = byName.get(d.name);
    if (to === undefined) {
      dangling++;
      firstDangling ||= `line ${d.line}: ${d.name}`;
      continue;
    }
    graph.addEdge(rootId, to);
    graph.components.get(to)!.direct = true;
  }
  for (const [note, count] of notes) {
    warnings.push(`${count} gem(s) come from ${note}, not a gem server; versions as the lockfile records them`);
  }
  if (dangling) warnings.push(`${dangling} dependency line(s) name gems the lockfile does not list (first: ${firstDangling})`);
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
