/**
 * dpkg's database of installed packages: `/var/lib/dpkg/status`, and the one-file-per-package
 * `/var/lib/dpkg/status.d/<name>` that distroless images carry instead.
 *
 * The file is deb822: stanzas separated by blank lines, `Field: value` lines, continuation lines
 * starting with a space or tab. Per stanza:
 * - `Status` must say the package is installed (`<want> ok installed`: `install`, `hold` and
 *   `deinstall` are all installed now); anything else (`not-installed`, `config-files`,
 *   `half-installed` ...) is skipped. status.d files carry no `Status` and are all installed.
 * - `Package` is the component name, `Architecture` its purl `arch`.
 * - `Source: src` or `Source: src (version)` names the source package, which Debian (and Ubuntu)
 *   publish advisories for: `advisoryName` is the source name, and `advisoryVersion` the source
 *   version when one is given and differs from `Version` (a binary-only epoch or binNMU `+bN`;
 *   advisories speak of the source version). The component keeps the binary name and version,
 *   as its purl does: `pkg:deb/debian/<name>@<Version>?arch=<arch>&distro=debian-<VERSION_ID>`,
 *   with `upstream=<source>` or `upstream=<source>@<source version>` when they differ, as Syft
 *   writes it (an SBOM read back keeps the source package: debian/purl.ts).
 * - A stanza without `Package` is skipped with a warning; one without `Version` is listed in
 *   `unresolved`.
 *
 * Release: the root file system's os-release (`<root>/etc/os-release`, else
 * `<root>/usr/lib/os-release`, where `<root>` is the status file's path minus `var/lib/dpkg/status`,
 * read inside the root). `ID=debian` → ecosystem `Debian:<major of VERSION_ID>`; `ID=ubuntu` →
 * `Ubuntu:<VERSION_ID>` with purl namespace `ubuntu`. Without VERSION_ID (Debian testing/sid,
 * or no os-release at all) the release is taken from `<root>/etc/debian_version` when numeric, else
 * from the installed `base-files` version (Debian's is `<major>.<minor>`); failing all that the
 * ecosystem is plain `Debian` (matched against every Debian release) with a warning.
 * Each component's location is the first line of its stanza.
 */
import type { Component } from '../../model/component.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { upstreamQualifier } from '../shared/upstream.js';
import { decodeText } from '../../io/json.js';
import { readInRoot } from '../../io/root.js';
import type { Extractor } from '../types.js';
import { type OsRelease, readOsRelease, rootOf } from './os-release.js';

const ID = 'debian/dpkg-status';
const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d';

export const dpkgStatusExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['dpkg-status'],

  /** `…/var/lib/dpkg/status` and `…/var/lib/dpkg/status.d/<name>` (not its `.md5sums` files). */
  wants(p: string): boolean {
    const norm = p.replace(/\\/g, '/');
    if (norm === STATUS || norm.endsWith(`/${STATUS}`)) return true;
    const slash = norm.lastIndexOf('/');
    const dir = norm.slice(0, slash);
    const name = norm.slice(slash + 1);
    if (!(dir === STATUS_D || dir.endsWith(`/${STATUS_D}`))) return false;
    return name !== '' && !name.startsWith('.') && !name.endsWith('.md5sums');
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path, { invalid: 'replace' });
    const root = rootOf(input.path, STATUS) ?? statusDRoot(input.path);
    const release = root === undefined ? undefined : await releaseOf(root);
    return parseDpkgStatus(text, input.path, { release, statusD: isStatusD(input.path) });
  },
};

function isStatusD(p: string): boolean {
  return /(?:^|\/)var\/lib\/dpkg\/status\.d\/[^/]+$/.test(p.replace(/\\/g, '/'));
}

function statusDRoot(p: string): string | undefined {
  if (!isStatusD(p)) return undefined;
  const name = p.replace(/\\/g, '/').split('/').pop()!;
  return rootOf(p, `${STATUS_D}/${name}`);
}

/** What the root file system says about its release. */
export interface DebianRelease {
  osRelease: OsRelease | undefined;
  /** `<root>/etc/debian_version`, trimmed. */
  debianVersion: string | undefined;
}

async function releaseOf(root: string): Promise<DebianRelease> {
  return { osRelease: await readOsRelease(root), debianVersion: (await readInRoot(root, 'etc/debian_version', 4096))?.trim() };
}

export interface DpkgParseOptions {
  release?: DebianRelease | undefined;
  /** A status.d file: stanzas carry no Status and are all installed. */
  statusD?: boolean;
}

interface Stanza {
  line: number;
  fields: Map<string, string>;
}

/** Split deb822 text into stanzas; also counts the lines that are not `Field: value`. */
export function parseStanzas(text: string): { stanzas: Stanza[]; junk: number; firstJunk?: number } {
  const stanzas: Stanza[] = [];
  let cur: Stanza | undefined;
  let last: string | undefined;
  let junk = 0;
  let firstJunk: number | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      cur = undefined;
      last = undefined;
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      if (cur && last !== undefined) cur.fields.set(last, `${cur.fields.get(last)}\n${line.slice(1)}`);
      continue;
    }
    const m = /^([!-9;-~][!-9;-~]*):(.*)$/.exec(line);
    if (!m || line.startsWith('#') || line.startsWith('-')) {
      junk++;
      firstJunk ??= i + 1;
      last = undefined;
      continue;
    }
    if (!cur) stanzas.push((cur = { line: i + 1, fields: new Map() }));
    last = m[1]!.toLowerCase();
    cur.fields.set(last, m[2]!.trim());
  }
  return firstJunk === undefined ? { stanzas, junk } : { stanzas, junk, firstJunk };
}

interface Distro {
  ecosystem: string;
  namespace: 'debian' | 'ubuntu';
  /** purl `distro` qualifier, e.g. `debian-12`, `ubuntu-22.04`. */
  distro: string | undefined;
  warning?: string;
}

function distroOf(release: DebianRelease | undefined, baseFiles: string | undefined): Distro {
  const os = release?.osRelease;
  if (os?.id === 'ubuntu') {
    if (os.versionId) return { ecosystem: `Ubuntu:${os.versionId}`, namespace: 'ubuntu', distro: `ubuntu-${os.versionId}` };
    return { ecosystem: 'Ubuntu', namespace: 'ubuntu', distro: undefined, warning: `${os.file} names Ubuntu without VERSION_ID: release unknown` };
  }
  let note: string | undefined;
  if (os && os.id !== 'debian') {
    note = `${os.file} says ID=${os.id ?? '(none)'}${os.idLike.length ? ` (like ${os.idLike.join(' ')})` : ''}: packages are matched as Debian's`;
  }
  const major = (v: string | undefined): string | undefined => /^(\d+)(?:[.+]|$)/.exec(v ?? '')?.[1];
  const fromOs = os?.id === 'debian' ? major(os.versionId) : undefined;
  if (fromOs) return { ecosystem: `Debian:${fromOs}`, namespace: 'debian', distro: `debian-${os!.versionId}` };
  const fromDv = major(release?.debianVersion);
  if (fromDv) return { ecosystem: `Debian:${fromDv}`, namespace: 'debian', distro: `debian-${fromDv}`, ...(note ? { warning: note } : {}) };
  const fromBf = baseFiles && !/ubuntu/i.test(baseFiles) ? major(baseFiles) : undefined;
  if (fromBf) {
    const w = `release taken from the installed base-files ${baseFiles} (no os-release VERSION_ID)`;
    return { ecosystem: `Debian:${fromBf}`, namespace: 'debian', distro: `debian-${fromBf}`, warning: note ? `${note}; ${w}` : w };
  }
  return {
    ecosystem: 'Debian',
    namespace: 'debian',
    distro: undefined,
    warning: `${note ? `${note}; ` : ''}Debian release unknown (no os-release beside the database): matched against every Debian release`,
  };
}

/** `Status: want flag status` → installed now? */
function installed(status: string): boolean {
  const words = status.split(/\s+/);
  return words.length === 3 && words[1] === 'ok' && words[2] === 'installed';
}

function firstLine(v: string): string;
function firstLine(v: string | undefined): string | undefined;
function firstLine(v: string | undefined): string | undefined {
  return v?.split('\n')[0]!.trim();
}

/** `src` or `src (version)`. */
function parseSource(s: string | undefined): { name?: string; version?: string } {
  // single-line field: anything on continuation lines (only in damaged files) is not part of it
  const first = s?.split('\n')[0]?.trim();
  if (!first) return {};
  const m = /^(\S+)(?:\s*\(\s*([^)\s]+)\s*\))?$/.exec(first);
  if (!m) return {};
  return m[2] !== undefined ? { name: m[1]!, version: m[2] } : { name: m[1]! };
}

/** Parse the text of a dpkg status (or status.d) file (`file` is its display path). */
export function parseDpkgStatus(text: string, file: string, opts: DpkgParseOptions = {}): Inventory {
  const { stanzas, junk, firstJunk } = parseStanzas(text);
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;

  const picked: { s: Stanza; name: string; version: string | undefined }[] = [];
  let skippedNoPackage = 0;
  let firstNoPackage: number | undefined;
  for (const s of stanzas) {
    const status = s.fields.get('status');
    if (status === undefined ? !opts.statusD : !installed(status)) continue;
    const name = s.fields.get('package');
    if (!name) {
      skippedNoPackage++;
      firstNoPackage ??= s.line;
      continue;
    }
    picked.push({ s, name: firstLine(name), version: firstLine(s.fields.get('version')) || undefined });
  }
  if (junk) warnings.push(`${junk} line(s) that are not "Field: value" were ignored (first at line ${firstJunk})`);
  if (skippedNoPackage) warnings.push(`${skippedNoPackage} installed stanza(s) without a Package field were skipped (first at line ${firstNoPackage})`);

  const baseFiles = picked.find((p) => p.name === 'base-files')?.version;
  const distro = distroOf(opts.release, baseFiles);
  if (picked.length && distro.warning) warnings.push(distro.warning);
  if (picked.length) graph.addRoot(rootId, file);

  for (const { s, name, version } of picked) {
    if (version === undefined) {
      const reason = 'no Version field';
      warnings.push(`line ${s.line}: ${name}: ${reason}; skipped`);
      unresolved.push({ name, ecosystem: distro.ecosystem, line: s.line, reason });
      continue;
    }
    const src = parseSource(s.fields.get('source'));
    const arch = firstLine(s.fields.get('architecture'));
    const qualifiers: Record<string, string> = {};
    if (arch) qualifiers['arch'] = arch;
    if (distro.distro) qualifiers['distro'] = distro.distro;
    const advisoryName = src.name && src.name !== name ? src.name : undefined;
    const advisoryVersion = src.version && src.version !== version ? src.version : undefined;
    const upstream = upstreamQualifier(advisoryName, advisoryVersion, name);
    if (upstream) qualifiers['upstream'] = upstream;
    let purl: string;
    try {
      purl = buildPurl({ type: 'deb', namespace: distro.namespace, name, version, qualifiers });
    } catch (e) {
      warnings.push(`line ${s.line}: ${name}@${version}: ${(e as Error).message}; skipped`);
      continue;
    }
    const c: Component = {
      purl,
      ecosystem: distro.ecosystem,
      name,
      version,
      ...(advisoryVersion ? { advisoryVersion } : {}),
      ...(advisoryName ? { advisoryName } : {}),
      scope: 'prod',
      direct: true,
      locations: [{ path: file, line: s.line }],
    };
    graph.add(c);
    graph.addEdge(rootId, purl);
  }
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}
