/**
 * apk's database of installed packages: `/lib/apk/db/installed`.
 *
 * Stanzas separated by blank lines, one `X:value` line per field (apk-package(5)): `P:` name,
 * `V:` version, `A:` architecture, `o:` origin (the source package, which Alpine's secdb and OSV
 * publish advisories for: `advisoryName`, and the purl's `upstream` qualifier as Syft writes it, so an
 * SBOM read back keeps it: alpine/purl.ts), `L:` licence. A stanza without `P:` is skipped with a
 * warning; one without `V:` is listed in `unresolved`. Each component's location is the first
 * line of its stanza.
 *
 * Release: `VERSION_ID` of the root file system's os-release (`<root>/etc/os-release`, else
 * `<root>/usr/lib/os-release`, where `<root>` is the database's path minus `lib/apk/db/installed`,
 * read inside the root), else `<root>/etc/alpine-release`: `3.20.3` → ecosystem `Alpine:v3.20`,
 * purl `pkg:apk/alpine/<name>@<version>?arch=<arch>&distro=alpine-3.20.3`. Unknown → plain
 * `Alpine` (matched against every Alpine release) with a warning.
 */
import type { Component } from '../../model/component.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { upstreamQualifier } from '../shared/upstream.js';
import { decodeText } from '../../io/json.js';
import { readInRoot } from '../../io/root.js';
import { readOsRelease, rootOf } from '../debian/os-release.js';
import type { Extractor } from '../types.js';

const ID = 'alpine/apk-installed';
const INSTALLED = 'lib/apk/db/installed';

export const apkInstalledExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['apk-installed'],

  wants(p: string): boolean {
    const norm = p.replace(/\\/g, '/');
    return norm === INSTALLED || norm.endsWith(`/${INSTALLED}`);
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path, { invalid: 'replace' });
    const root = rootOf(input.path, INSTALLED);
    if (root === undefined) return parseApkInstalled(text, input.path);
    const os = await readOsRelease(root);
    const notAlpine = os?.id !== undefined && os.id !== 'alpine';
    const versionId = (!notAlpine ? os?.versionId : undefined) ?? (await readInRoot(root, 'etc/alpine-release', 4096))?.trim();
    const inv = parseApkInstalled(text, input.path, { versionId: versionId || undefined });
    return notAlpine ? withWarning(inv, `${os!.file} says ID=${os!.id}: packages are matched as Alpine's`) : inv;
  },
};

function withWarning(inv: Inventory, w: string): Inventory {
  if (inv.graph.components.size) inv.warnings.unshift(w);
  return inv;
}

/** `3.20.3` → `v3.20`; undefined when VERSION_ID is not `<major>.<minor>…`. */
export function alpineBranch(versionId: string): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(versionId);
  return m ? `v${m[1]}.${m[2]}` : undefined;
}

export interface ApkParseOptions {
  /** os-release VERSION_ID (or alpine-release) of the root file system. */
  versionId?: string | undefined;
}

/** Parse the text of an apk `installed` database (`file` is its display path). */
export function parseApkInstalled(text: string, file: string, opts: ApkParseOptions = {}): Inventory {
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;

  const branch = opts.versionId ? alpineBranch(opts.versionId) : undefined;
  const ecosystem = branch ? `Alpine:${branch}` : 'Alpine';

  const stanzas: { line: number; fields: Map<string, string> }[] = [];
  let cur: { line: number; fields: Map<string, string> } | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      cur = undefined;
      continue;
    }
    const m = /^([A-Za-z]):(.*)$/.exec(line);
    if (!m) continue; // not a field line (apk writes nothing else)
    if (!cur) stanzas.push((cur = { line: i + 1, fields: new Map() }));
    // repeated keys (F:/R: file lists) keep the first value; the fields read here are single
    if (!cur.fields.has(m[1]!)) cur.fields.set(m[1]!, m[2]!.trim());
  }

  let noName = 0;
  let firstNoName: number | undefined;
  const picked = stanzas.filter((s) => {
    if (s.fields.get('P')) return true;
    if (s.fields.has('V') || s.fields.has('o')) {
      noName++;
      firstNoName ??= s.line;
    }
    return false;
  });
  if (noName) warnings.push(`${noName} stanza(s) without a P: (name) field were skipped (first at line ${firstNoName})`);
  if (picked.length) {
    graph.addRoot(rootId, file);
    if (!branch) {
      warnings.push(
        opts.versionId
          ? `Alpine release "${opts.versionId}" is not <major>.<minor>: matched against every Alpine release`
          : 'Alpine release unknown (no os-release beside the database): matched against every Alpine release',
      );
    }
  }

  for (const s of picked) {
    const name = s.fields.get('P')!;
    const version = s.fields.get('V') || undefined;
    if (version === undefined) {
      const reason = 'no V: (version) field';
      warnings.push(`line ${s.line}: ${name}: ${reason}; skipped`);
      unresolved.push({ name, ecosystem, line: s.line, reason });
      continue;
    }
    const origin = s.fields.get('o');
    const arch = s.fields.get('A');
    const licence = s.fields.get('L');
    const qualifiers: Record<string, string> = {};
    if (arch) qualifiers['arch'] = arch;
    if (opts.versionId) qualifiers['distro'] = `alpine-${opts.versionId}`;
    const advisoryName = origin && origin !== name ? origin : undefined;
    const upstream = upstreamQualifier(advisoryName, undefined, name);
    if (upstream) qualifiers['upstream'] = upstream;
    let purl: string;
    try {
      purl = buildPurl({ type: 'apk', namespace: 'alpine', name, version, qualifiers });
    } catch (e) {
      warnings.push(`line ${s.line}: ${name}@${version}: ${(e as Error).message}; skipped`);
      continue;
    }
    const c: Component = {
      purl,
      ecosystem,
      name,
      version,
      ...(advisoryName ? { advisoryName } : {}),
      scope: 'prod',
      direct: true,
      ...(licence ? { licenses: [licence] } : {}),
      locations: [{ path: file, line: s.line }],
    };
    graph.add(c);
    graph.addEdge(rootId, purl);
  }
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}
