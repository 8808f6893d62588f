/**
 * No misses, no extras: on real npm lockfiles, the (package, advisory) pairs vouch reports must be
 * exactly those an independent reading of the OSV records gives. The oracle here shares no code
 * with vouch: it reads the zip itself (yauzl), reads the lockfile's `packages` map itself, orders
 * versions with node-semver, and evaluates each range with the OSV schema's own reference
 * algorithm (a running affected flag over the sorted events), not vouch's interval pairing.
 */
import { readFileSync, rmSync } from 'node:fs';
import semver from 'semver';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { tempDir, vouch } from './helpers.js';

interface Rec {
  id: string;
  withdrawn?: string;
  affected?: { package?: { ecosystem: string; name: string }; ranges?: { type: string; events: Record<string, string>[] }[]; versions?: string[] }[];
}

function readZip(file: string): Promise<Rec[]> {
  return new Promise((resolve, reject) => {
    const out: Rec[] = [];
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Rec);
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

/**
 * The purl of an npm package as ECMA-427 and the npm type definition say, written here by hand: the
 * name keeps its case, every character but letters, digits, `.-_~` and `:` is percent-encoded
 * (`@` of a scope is `%40`, `+` of build metadata `%2B`).
 */
function npmPurl(name: string, version: string): string {
  const enc = (s: string): string =>
    encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%3A/g, ':');
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const path = slash > 0 ? `${enc(name.slice(0, slash))}/${enc(name.slice(slash + 1))}` : enc(name);
  return `pkg:npm/${path}@${enc(version)}`;
}

const cmp = (a: string, b: string): number => semver.compare(a, b, { loose: true });

/** The osv-schema reference evaluation for one range (SEMVER or ECOSYSTEM on npm). */
function inRange(v: string, events: Record<string, string>[]): boolean {
  const limits = events.filter((e) => e.limit !== undefined).map((e) => e.limit!);
  if (limits.length && !limits.some((l) => l === '*' || cmp(v, l) < 0)) return false;
  const sorted = events
    .filter((e) => e.limit === undefined && !(e.fixed === ''))
    .map((e) => Object.entries(e)[0] as [string, string])
    .sort((a, b) => (a[1] === '0' && a[0] === 'introduced' ? -1 : b[1] === '0' && b[0] === 'introduced' ? 1 : cmp(a[1], b[1])));
  let affected = false;
  for (const [kind, ver] of sorted) {
    if (kind === 'introduced' && (ver === '0' || cmp(v, ver) >= 0)) affected = true;
    else if (kind === 'fixed' && cmp(v, ver) >= 0) affected = false;
    else if (kind === 'last_affected' && cmp(v, ver) > 0) affected = false;
  }
  return affected;
}

function oracle(lockfile: string, recs: Rec[]): string[] {
  const lock = JSON.parse(readFileSync(lockfile, 'utf8')) as { packages: Record<string, { version?: string; name?: string; link?: boolean }> };
  const pkgs = new Set<string>();
  for (const [key, p] of Object.entries(lock.packages)) {
    const i = key.lastIndexOf('node_modules/');
    if (i < 0 || p.link || !p.version || !semver.valid(p.version, { loose: true })) continue;
    pkgs.add(`${p.name ?? key.slice(i + 'node_modules/'.length)}@${p.version}`);
  }
  const pairs = new Set<string>();
  for (const pv of pkgs) {
    const at = pv.lastIndexOf('@');
    const name = pv.slice(0, at);
    const version = pv.slice(at + 1);
    for (const r of recs) {
      if (r.withdrawn) continue;
      for (const a of r.affected ?? []) {
        if (a.package?.ecosystem !== 'npm' || a.package.name !== name) continue;
        const hit =
          (a.ranges ?? []).some((rg) => rg.type !== 'GIT' && inRange(version, rg.events)) || (a.versions ?? []).includes(version);
        const purl = npmPurl(name, version);
        if (hit) pairs.add(`${purl} ${r.id}`);
      }
    }
  }
  return [...pairs].sort();
}

describe.skipIf(!HAS_SHARED)('npm findings equal an independent reading of the OSV records', () => {
  let home: string;
  let recs: Rec[];
  beforeAll(async () => {
    home = tempDir('oracle');
    expect(vouch(['db', 'update', '--source', shared('osv'), '--ecosystem', 'npm', '--quiet'], { VOUCH_HOME: home }).code).toBe(0);
    recs = await readZip(shared('osv', 'npm', 'all.zip'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it.each(['OWASP__NodeGoat', 'snyk-labs__nodejs-goof', 'Kong__insomnia', 'BookStackApp__BookStack'])('%s', (project) => {
    const lockfile = shared('realworld', project, 'package-lock.json');
    const expected = oracle(lockfile, recs);
    const r = vouch(['scan', lockfile, '--format', 'json'], { VOUCH_HOME: home });
    expect(r.code, r.stderr).toBe(expected.length ? 1 : 0);
    const got = (JSON.parse(r.stdout) as { findings: { purl: string; id: string }[] }).findings.map((f) => `${f.purl} ${f.id}`).sort();
    expect(got).toEqual(expected);
    if (project === 'OWASP__NodeGoat') expect(expected.length).toBeGreaterThan(20); // a deliberately vulnerable app
  });
});
