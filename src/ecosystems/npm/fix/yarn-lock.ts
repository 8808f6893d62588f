/**
 * yarn.lock (classic, v1) read into the planner's project shape: one entry per resolved
 * `name@version` (keyed `yarn:name@version`), its dependents found through the descriptors
 * (`name@range`) each entry answers, the project's own ranges from package.json.
 */
import path from 'node:path';
import { VouchError } from '../../../model/errors.js';
import type { Dependent, LockEntry, NpmProject } from './lock.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../../../io/input.js';

function unquote(s: string): string {
  const t = s.trim();
  return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** `@scope/name@^1.0` → [`@scope/name`, `^1.0`]; `name@npm:other@^1` keeps the alias range. */
function splitDescriptor(d: string): [string, string] {
  const at = d.indexOf('@', d.startsWith('@') ? 1 : 0);
  return at < 0 ? [d, ''] : [d.slice(0, at), d.slice(at + 1)];
}

export async function readYarnProject(dir: string): Promise<NpmProject> {
  const packageJsonPath = path.join(dir, 'package.json');
  const lockPath = path.join(dir, 'yarn.lock');
  const packageJsonText = await readRegularFile(packageJsonPath).then((b) => b.toString('utf8')).catch(() => {
    throw new VouchError('INPUT_MISSING', 'no package.json beside yarn.lock', { path: packageJsonPath });
  });
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(packageJsonText) as Record<string, unknown>;
  } catch (e) {
    throw new VouchError('INPUT_PARSE', `not valid JSON (${(e as Error).message})`, { path: packageJsonPath, cause: e });
  }
  const lockText = (await readRegularFile(lockPath, { maxBytes: MAX_INPUT_BYTES })).toString('utf8');
  if (/^__metadata:/m.test(lockText)) {
    throw new VouchError('INPUT_UNSUPPORTED', 'yarn berry (v2+) lockfiles are not planned yet; only yarn classic (v1)', { path: lockPath });
  }
  const entries = new Map<string, LockEntry>();
  const byDescriptor = new Map<string, string>();
  const rootDeps: Record<string, string> = {};
  for (const f of ['devDependencies', 'optionalDependencies', 'peerDependencies', 'dependencies']) {
    const d = pkg[f];
    if (d && typeof d === 'object') for (const [n, s] of Object.entries(d)) if (typeof s === 'string') rootDeps[n] = s;
  }
  entries.set('', { key: '', name: typeof pkg['name'] === 'string' ? pkg['name'] : '', version: '', deps: rootDeps, dev: false, optional: false, isRoot: true, inBundle: false });

  let cur: { descriptors: string[]; version?: string; deps: Record<string, string>; line: number } | undefined;
  let section: string | undefined;
  const flush = (): void => {
    if (!cur) return;
    if (!cur.version) throw new VouchError('INPUT_PARSE', 'entry without a version', { path: lockPath, position: { line: cur.line } });
    const name = splitDescriptor(cur.descriptors[0]!)[0];
    const key = `yarn:${name}@${cur.version}`;
    const prev = entries.get(key);
    entries.set(key, { key, name, version: cur.version, deps: { ...prev?.deps, ...cur.deps }, dev: false, optional: false, isRoot: false, inBundle: false });
    for (const d of cur.descriptors) byDescriptor.set(d, key);
  };
  lockText.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim() || raw.trimStart().startsWith('#')) return;
    const indent = raw.length - raw.trimStart().length;
    if (indent === 0) {
      flush();
      if (!raw.endsWith(':')) throw new VouchError('INPUT_PARSE', 'expected an entry header ending in ":"', { path: lockPath, position: { line } });
      cur = { descriptors: raw.slice(0, -1).split(/,\s*/).map(unquote), deps: {}, line };
      section = undefined;
      return;
    }
    if (!cur) throw new VouchError('INPUT_PARSE', 'indented line outside an entry', { path: lockPath, position: { line } });
    const t = raw.trim();
    if (indent <= 2) {
      section = t.endsWith(':') ? t.slice(0, -1) : undefined;
      const m = /^version\s+(.+)$/.exec(t);
      if (m) cur.version = unquote(m[1]!);
      return;
    }
    if (section === 'dependencies' || section === 'optionalDependencies') {
      const m = /^("[^"]+"|\S+)\s+(.+)$/.exec(t);
      if (!m) throw new VouchError('INPUT_PARSE', 'expected `name "range"`', { path: lockPath, position: { line } });
      cur.deps[unquote(m[1]!)] = unquote(m[2]!);
    }
  });
  flush();
  const dependents = new Map<string, Dependent[]>();
  for (const e of entries.values()) {
    for (const [dep, spec] of Object.entries(e.deps)) {
      const to = byDescriptor.get(`${dep}@${spec}`);
      if (!to) continue;
      let list = dependents.get(to);
      if (!list) dependents.set(to, (list = []));
      list.push({ key: e.key, spec });
    }
  }
  return { dir, packageJsonPath, lockPath, packageJsonText, lockText, entries, dependents, manager: 'yarn' };
}

/**
 * yarn.lock text without the entries that resolve `name` to `version` (the whole block: header,
 * fields, and the blank line after it). Everything else is kept byte for byte. Deleting an entry
 * is yarn classic's way to re-resolve one package: the next `yarn install` picks the newest version
 * its ranges admit (or a `resolutions` pin) and writes the entry back.
 */
export function dropYarnEntries(text: string, drop: readonly { name: string; version: string }[]): string {
  const wanted = new Set(drop.map((d) => `${d.name}@${d.version}`));
  const lines = text.split(/(?<=\n)/);
  const out: string[] = [];
  let block: string[] = [];
  let header: string | undefined;
  const flush = (): void => {
    if (header !== undefined) {
      const name = splitDescriptor(unquote(header.trimEnd().slice(0, -1).split(/,\s*/)[0]!))[0];
      const v = block.map((l) => /^ {2}version\s+(.+?)\s*$/.exec(l)).find(Boolean);
      if (v && wanted.has(`${name}@${unquote(v[1]!)}`)) {
        // the block's own trailing blank lines go with it
        block = [];
        header = undefined;
        return;
      }
    }
    out.push(...block);
    block = [];
    header = undefined;
  };
  for (const l of lines) {
    const isHeader = l.trim() !== '' && !/^\s/.test(l) && !l.startsWith('#');
    if (isHeader) {
      flush();
      header = l;
    }
    block.push(l);
  }
  flush();
  return out.join('');
}
