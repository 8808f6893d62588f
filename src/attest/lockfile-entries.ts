/**
 * What a lockfile says about each installed package's bytes: name, version, where it was
 * resolved from and the integrity it recorded. The inventory extractors keep hashes but not the
 * `resolved` URL or the SRI string as written, so lockfile verification reads the files itself
 * (parsing with the same JSON/YAML helpers and line finders the extractors use).
 *
 * - package-lock.json / npm-shrinkwrap.json v1–v3: `packages` (v2/v3) or the nested v1
 *   `dependencies`; `link: true` and the root are skipped; `inBundle` / `bundled` entries come
 *   inside their parent's tarball and are listed as bundled.
 * - yarn.lock v1: `resolved` (whose `#<40 hex>` fragment is a SHA-1 of the tarball, used when
 *   there is no `integrity`) and `integrity`.
 * - yarn.lock berry: `checksum` is of yarn's cache zip, not of the tarball: never comparable.
 * - pnpm-lock.yaml v5–v9: `packages` keys and `resolution` (`integrity`, `tarball`, git, folder).
 */
import { yamlLib } from '../io/libs.js';
import { decodeText, isJsonObject, parseJsonInput } from '../io/json.js';
import { keyLines } from '../ecosystems/npm/package-lock.js';
import { VouchError } from '../model/errors.js';
import { parseYamlInput } from '../io/yaml.js';

export type LockFormat = 'package-lock' | 'yarn-v1' | 'yarn-berry' | 'pnpm';

/** Where the lockfile says a package came from. */
export type EntrySource =
  | 'registry' // a registry tarball (or no URL at all: the registry is implied)
  | 'git'
  | 'file' // file: tarball or folder
  | 'link' // link: / portal: / workspace folder
  | 'tarball' // a remote URL that is not a registry tarball
  | 'bundled'; // inside another package's tarball

export interface LockEntry {
  name: string;
  version: string;
  source: EntrySource;
  /** The resolved URL as written (may hold credentials: redact before printing). */
  resolved?: string;
  /** SRI string as written (`sha512-… sha1-…`), or a synthesized `sha1-…` from a yarn v1 `#<hex>` fragment. */
  integrity?: string;
  /** yarn berry's `checksum` (of its cache zip): recorded, never comparable with a tarball. */
  berryChecksum?: string;
  /** 1-based line of the entry. */
  line?: number;
}

export interface LockRead {
  format: LockFormat;
  entries: LockEntry[];
}

/** Which lockfile a file is, by name and then by content. */
export function lockFormatOf(file: string, text: string): LockFormat | undefined {
  const base = file.split(/[/\\]/).pop() ?? '';
  if (base === 'package-lock.json' || base === 'npm-shrinkwrap.json') return 'package-lock';
  if (base === 'pnpm-lock.yaml') return 'pnpm';
  if (base === 'yarn.lock') return /^__metadata:\s*$/m.test(text) ? 'yarn-berry' : 'yarn-v1';
  if (/^\s*\{/.test(text) && /"lockfileVersion"\s*:/.test(text)) return 'package-lock';
  if (/^lockfileVersion:/m.test(text)) return 'pnpm';
  if (/^__metadata:\s*$/m.test(text)) return 'yarn-berry';
  if (/^# yarn lockfile v1/m.test(text)) return 'yarn-v1';
  return undefined;
}

/** Reads a lockfile's entries. Throws VouchError INPUT_PARSE / INPUT_UNSUPPORTED naming the file and line. */
export function readLockEntries(file: string, data: Buffer): LockRead {
  const text = decodeText(data, file);
  const format = lockFormatOf(file, text);
  if (!format) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a lockfile vouch verifies (package-lock.json, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml)', { path: file });
  }
  const entries =
    format === 'package-lock' ? packageLock(text, file) : format === 'pnpm' ? pnpmLock(text, file) : format === 'yarn-berry' ? yarnBerry(text, file) : yarnV1(text, file);
  return { format, entries: dedupe(entries) };
}

/** Classifies a resolved URL / spec. `undefined` = the registry is implied. */
export function sourceOfResolved(resolved: string | undefined): EntrySource {
  if (!resolved) return 'registry';
  if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:|ssh:)/.test(resolved) || /\.git(?:#|$)/.test(resolved) || /^https:\/\/codeload\.github\.com\//.test(resolved)) return 'git';
  if (resolved.startsWith('file:')) return 'file';
  if (/^(?:link|portal|workspace):/.test(resolved)) return 'link';
  if (/^https?:\/\//.test(resolved)) return isRegistryTarballUrl(resolved) ? 'registry' : 'tarball';
  return 'tarball';
}

/** `<registry>/<name>/-/<file>.tgz` (npmjs, Verdaccio, Artifactory, Nexus, yarnpkg), or GitHub Packages' /download/. */
export function isRegistryTarballUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return /\/-\/[^/]+\.tgz$/.test(u.pathname) || (u.host === 'npm.pkg.github.com' && u.pathname.includes('/download/'));
  } catch {
    return false;
  }
}

function dedupe(entries: LockEntry[]): LockEntry[] {
  const seen = new Map<string, LockEntry>();
  for (const e of entries) {
    const k = `${e.name}\0${e.version}\0${e.source}\0${e.integrity ?? ''}\0${e.berryChecksum ?? ''}\0${e.resolved ?? ''}`;
    if (!seen.has(k)) seen.set(k, e);
  }
  return [...seen.values()];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// package-lock.json

function packageLock(text: string, file: string): LockEntry[] {
  const json = parseJsonInput(text, file);
  if (!isJsonObject(json)) throw new VouchError('INPUT_PARSE', 'a package-lock must be a JSON object', { path: file, position: { jsonPath: '$' } });
  const out: LockEntry[] = [];
  const packages = json['packages'];
  if (isJsonObject(packages)) {
    const lines = keyLines(text, 'packages');
    for (const [key, raw] of Object.entries(packages)) {
      if (key === '' || !isJsonObject(raw)) continue;
      if (raw['link'] === true) continue;
      const nm = key.lastIndexOf('node_modules/');
      const version = str(raw['version']);
      const resolved = str(raw['resolved']);
      if (nm < 0 && !resolved) continue; // a workspace / file: folder: the project's own code
      const name = str(raw['name']) ?? (nm >= 0 ? key.slice(nm + 'node_modules/'.length) : key);
      if (!version) continue;
      const line = lines.get(key);
      const e: LockEntry = {
        name,
        version,
        source: raw['inBundle'] === true ? 'bundled' : nm < 0 ? 'file' : sourceOfResolved(resolved),
        ...(resolved ? { resolved } : {}),
        ...(str(raw['integrity']) ? { integrity: str(raw['integrity'])! } : {}),
        ...(line !== undefined ? { line } : {}),
      };
      out.push(e);
    }
    return out;
  }
  const deps = json['dependencies'];
  if (deps !== undefined && !isJsonObject(deps)) {
    throw new VouchError('INPUT_PARSE', '"dependencies" must be an object', { path: file, position: { jsonPath: '$.dependencies' } });
  }
  const lines = keyLines(text, 'dependencies');
  const walk = (tree: Record<string, unknown>, prefix: string): void => {
    for (const [key, raw] of Object.entries(tree)) {
      if (!isJsonObject(raw)) continue;
      const folder = `${prefix}node_modules/${key}`;
      let version = str(raw['version']);
      let name = key;
      const resolved = str(raw['resolved']);
      if (version?.startsWith('npm:')) {
        // alias: "npm:real-name@1.2.3"
        const at = version.lastIndexOf('@');
        name = version.slice(4, at);
        version = version.slice(at + 1);
      }
      if (version) {
        const semverish = /^\d+\.\d+\.\d+/.test(version);
        const source: EntrySource = raw['bundled'] === true ? 'bundled' : semverish ? sourceOfResolved(resolved) : sourceOfResolved(version);
        const line = lines.get(folder);
        out.push({
          name,
          version,
          source,
          ...(resolved ? { resolved } : !semverish ? { resolved: version } : {}),
          ...(str(raw['integrity']) ? { integrity: str(raw['integrity'])! } : {}),
          ...(line !== undefined ? { line } : {}),
        });
      }
      const sub = raw['dependencies'];
      if (isJsonObject(sub)) walk(sub, `${folder}/`);
    }
  };
  if (deps) walk(deps, '');
  return out;
}

// ---------------------------------------------------------------------------------------------
// yarn.lock v1

/** Splits `name@range` at the `@` that is not a scope's. */
function splitDescriptor(d: string): [string, string] {
  const at = d.indexOf('@', 1);
  return at < 0 ? [d, ''] : [d.slice(0, at), d.slice(at + 1)];
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    try {
      return JSON.parse(t) as string;
    } catch {
      return t.slice(1, -1);
    }
  }
  return t;
}

function yarnV1(text: string, file: string): LockEntry[] {
  const out: LockEntry[] = [];
  const lines = text.split(/\r?\n/);
  let cur: { name: string; line: number; fields: Map<string, string> } | undefined;
  const flush = (): void => {
    if (!cur) return;
    const version = cur.fields.get('version');
    if (!version) throw new VouchError('INPUT_PARSE', `entry ${cur.name} has no version`, { path: file, position: { line: cur.line } });
    const resolved = cur.fields.get('resolved');
    let integrity = cur.fields.get('integrity');
    const frag = resolved ? /#([0-9a-f]{40})$/.exec(resolved) : null;
    if (!integrity && frag) integrity = `sha1-${Buffer.from(frag[1]!, 'hex').toString('base64')}`;
    out.push({
      name: cur.name,
      version,
      source: sourceOfResolved(resolved),
      ...(resolved ? { resolved } : {}),
      ...(integrity ? { integrity } : {}),
      line: cur.line,
    });
    cur = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim() || l.trimStart().startsWith('#')) continue;
    if (!/^\s/.test(l)) {
      flush();
      if (!l.trimEnd().endsWith(':')) throw new VouchError('INPUT_PARSE', 'expected an entry header ending in ":"', { path: file, position: { line: i + 1 } });
      const first = unquote(l.trimEnd().slice(0, -1).split(/,\s*/)[0]!);
      const [declared, range] = splitDescriptor(first);
      const name = range.startsWith('npm:') ? splitDescriptor(range.slice(4))[0] : declared; // alias
      cur = { name, line: i + 1, fields: new Map() };
      continue;
    }
    if (!cur) throw new VouchError('INPUT_PARSE', 'indented line outside an entry', { path: file, position: { line: i + 1 } });
    const m = /^ {2}(\S+?):?\s+(.+)$/.exec(l);
    if (m && !/^ {3}/.test(l)) cur.fields.set(unquote(m[1]!), unquote(m[2]!));
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML (yarn berry, pnpm)

function yamlDoc(text: string, file: string): { value: unknown; lineOf: (key: string, section?: string) => number | undefined } {
  const y = yamlLib();
  // syntax, custom tags, any alias (an alias bomb) and a key written twice are one line (io/yaml.ts)
  const { doc, lines: lc } = parseYamlInput(text, file, { aliases: 'refuse', duplicateKeys: 'error' });
  const lineIndex = new Map<string, number>();
  const root = doc.contents;
  if (y.isMap(root)) {
    for (const top of root.items) {
      const section = y.isScalar(top.key) ? String(top.key.value) : '';
      if (y.isScalar(top.key) && top.key.range) lineIndex.set(`\0${section}`, lc.linePos(top.key.range[0]).line);
      if (!y.isMap(top.value)) continue;
      for (const p of top.value.items) {
        if (y.isScalar(p.key) && p.key.range) lineIndex.set(`${section}\0${String(p.key.value)}`, lc.linePos(p.key.range[0]).line);
      }
    }
  }
  return { value: doc.toJS() as unknown, lineOf: (key, section = '') => lineIndex.get(`${section}\0${key}`) };
}

function yarnBerry(text: string, file: string): LockEntry[] {
  const { value, lineOf } = yamlDoc(text, file);
  if (!isJsonObject(value)) throw new VouchError('INPUT_PARSE', 'a yarn.lock must be a YAML map', { path: file });
  const out: LockEntry[] = [];
  for (const [key, raw] of Object.entries(value)) {
    if (key === '__metadata' || !isJsonObject(raw)) continue;
    const resolution = str(raw['resolution']);
    const version = str(raw['version']) ?? (raw['version'] !== undefined ? String(raw['version']) : undefined);
    if (!resolution || !version) continue;
    const [name, ref] = splitDescriptor(resolution);
    const proto = /^([a-z]+):/.exec(ref)?.[1] ?? 'npm';
    if (proto === 'workspace') continue; // the project itself
    const source: EntrySource =
      proto === 'npm' ? 'registry' : proto === 'patch' ? (ref.includes('npm%3A') ? 'registry' : 'file') : proto === 'link' || proto === 'portal' ? 'link' : proto === 'file' ? 'file' : /git|github/.test(proto) || ref.includes('.git') ? 'git' : 'tarball';
    const line = lineOf(key);
    const checksum = str(raw['checksum']);
    out.push({
      name,
      version,
      source,
      resolved: resolution,
      ...(checksum ? { berryChecksum: checksum } : {}),
      ...(line !== undefined ? { line } : {}),
    });
  }
  return out;
}

function pnpmLock(text: string, file: string): LockEntry[] {
  const { value, lineOf } = yamlDoc(text, file);
  if (!isJsonObject(value)) throw new VouchError('INPUT_PARSE', 'a pnpm-lock.yaml must be a YAML map', { path: file });
  const lv = parseFloat(String(value['lockfileVersion'] ?? ''));
  const packages = value['packages'];
  if (packages === undefined || packages === null) return [];
  if (!isJsonObject(packages)) throw new VouchError('INPUT_PARSE', '"packages" must be a map', { path: file });
  const out: LockEntry[] = [];
  for (const [key, raw] of Object.entries(packages)) {
    if (!isJsonObject(raw)) continue;
    const res = isJsonObject(raw['resolution']) ? raw['resolution'] : {};
    const parsed = pnpmKey(key, Number.isFinite(lv) && lv < 6);
    const name = str(raw['name']) ?? parsed?.name;
    const version = str(raw['version']) ?? parsed?.version;
    if (!name || !version) continue;
    const tarball = str(res['tarball']);
    const integrity = str(res['integrity']);
    let source: EntrySource;
    if (res['type'] === 'git' || str(res['repo'])) source = 'git';
    else if (str(res['directory'])) source = 'link';
    else if (tarball) source = tarball.startsWith('file:') ? 'file' : sourceOfResolved(tarball);
    else source = 'registry';
    const line = lineOf(key, 'packages');
    out.push({
      name,
      version,
      source,
      ...(tarball ? { resolved: tarball } : source === 'git' && str(res['repo']) ? { resolved: `${str(res['repo'])}#${str(res['commit']) ?? ''}` } : {}),
      ...(integrity ? { integrity } : {}),
      ...(line !== undefined ? { line } : {}),
    });
  }
  return out;
}

/** `/name/1.2.3_peer` (v5), `/name@1.2.3(peer)` (v6), `name@1.2.3(peer)` (v9) → name and version. */
function pnpmKey(key: string, v5: boolean): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  if (v5) {
    // @scope/name/1.2.3_peer or name/1.2.3_peer
    const parts = k.split('/');
    const scoped = parts[0]!.startsWith('@');
    const name = scoped ? `${parts[0]}/${parts[1]}` : parts[0]!;
    const version = parts[scoped ? 2 : 1];
    if (!version) return undefined;
    return { name, version: version.split('_')[0]! };
  }
  const paren = k.indexOf('(');
  if (paren > 0) k = k.slice(0, paren);
  const [name, version] = splitDescriptor(k);
  if (!version) return undefined;
  return { name, version: v5 ? version.split('_')[0]! : version };
}
