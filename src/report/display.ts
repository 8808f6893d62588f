/** Short human labels for purls in tables and messages. */
import { tryParsePurl } from '../model/purl.js';
import { ecosystemByPurlType, nameFromPurl } from '../ecosystems/index.js';

/** `pkg:npm/%40babel/core@7.24.0` → `@babel/core@7.24.0`; Maven → `group:artifact@version`. */
export function purlLabel(purl: string): string {
  if (!purl.startsWith('pkg:')) return purl;
  const p = tryParsePurl(purl);
  if (!p) return purl;
  const eco = ecosystemByPurlType(p.type);
  const name = eco ? nameFromPurl(eco, p) : p.namespace ? `${p.namespace}/${p.name}` : p.name;
  return p.version ? `${name}@${p.version}` : name;
}

/** A dependency path for a table cell: long chains keep their first two and last two steps. */
export function pathLabel(path: readonly string[]): string {
  const labels = path.map((p, i) => (i === 0 ? p : purlLabel(p)));
  const shown = labels.length > 5 ? [...labels.slice(0, 2), `…(${labels.length - 4} more)…`, ...labels.slice(-2)] : labels;
  return shown.join(' > ');
}

/** What fixes a finding, for a table cell: the fixed version(s) of the matched interval, `> X` for a last_affected bound. */
export function fixLabel(f: { fixed: string[]; fixedVersions: string[]; match: { lastAffected?: string }[] }): string {
  if (f.fixed.length) return f.fixed.join(', ');
  const last = f.match.map((m) => m.lastAffected).filter((v): v is string => v !== undefined);
  if (last.length) return last.map((v) => `> ${v}`).join(', ');
  if (f.fixedVersions.length) return `(${f.fixedVersions.join(', ')})`;
  return 'no fix';
}

/** The advisory id with its first CVE alias, e.g. `GHSA-jfh8-c2jp-5v3q (CVE-2021-44228)`. */
export function idWithCve(id: string, aliases: readonly string[]): string {
  if (id.startsWith('CVE-')) return id;
  const cves = aliases.filter((a) => a.startsWith('CVE-'));
  return cves.length ? `${id} (${cves.join(', ')})` : id;
}

/**
 * Whether to colour output: FORCE_COLOR (any value but `0`/`false`) forces it, NO_COLOR (any
 * non-empty value) forbids it, else only on a terminal.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '0' && force.toLowerCase() !== 'false') return true;
  if (env['NO_COLOR']) return false;
  if (force !== undefined) return false; // FORCE_COLOR=0
  return isTTY === true;
}
