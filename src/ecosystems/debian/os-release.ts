/**
 * Which distribution and release a package database belongs to: `/etc/os-release` (else
 * `/usr/lib/os-release`) of the root file system the database sits in, read with the root as a
 * chroot (a symlink such as `etc/os-release -> /usr/lib/os-release` resolves inside the root, never
 * on the host). Shared by the dpkg and apk extractors (OS-generic; it may move to ecosystems/shared).
 */
import { readInRoot } from '../../io/root.js';

export interface OsRelease {
  /** `ID`, lower-case: `debian`, `ubuntu`, `alpine` ... */
  readonly id: string | undefined;
  /** `ID_LIKE`, split on spaces. */
  readonly idLike: readonly string[];
  /** `VERSION_ID` as written: `12`, `22.04`, `3.20.3`. */
  readonly versionId: string | undefined;
  readonly versionCodename: string | undefined;
  /** The file it was read from (root-relative, e.g. `etc/os-release`). */
  readonly file: string;
}

/** Parse os-release(5) text: `KEY=value` lines, values optionally quoted with shell escapes. */
export function parseOsRelease(text: string, file = 'etc/os-release'): OsRelease {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    const q = v[0];
    if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) {
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\(["\\$`])/g, '$1');
    }
    fields.set(m[1]!, v);
  }
  const get = (k: string): string | undefined => {
    const v = fields.get(k)?.trim();
    return v ? v : undefined;
  };
  return {
    id: get('ID')?.toLowerCase(),
    idLike: (get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean),
    versionId: get('VERSION_ID'),
    versionCodename: get('VERSION_CODENAME'),
    file,
  };
}

/** os-release of the root file system at `root` (a real directory), or undefined when it has none. */
export async function readOsRelease(root: string): Promise<OsRelease | undefined> {
  for (const rel of ['etc/os-release', 'usr/lib/os-release']) {
    const text = await readInRoot(root, rel);
    if (text !== undefined) return parseOsRelease(text, rel);
  }
  return undefined;
}

/**
 * The root file system a database file belongs to: `<root>/<suffix>` → `<root>`, or undefined when
 * the path does not end that way (a file named on the command line, an archive member).
 * `suffix` has no leading slash: `var/lib/dpkg/status`.
 */
export function rootOf(file: string, suffix: string): string | undefined {
  if (file.includes('!')) return undefined; // inside an archive: no file system around it
  const norm = file.replace(/\\/g, '/');
  if (norm === suffix) return '.';
  if (!norm.endsWith(`/${suffix}`)) return undefined;
  const root = file.slice(0, file.length - suffix.length - 1);
  return root === '' ? '/' : root;
}
