/** Short human labels for purls in tables and messages. */
import { parsePurl } from '../model/purl.js';

/** `pkg:npm/%40babel/core@7.24.0` → `@babel/core@7.24.0`; Maven → `group:artifact@version`. */
export function purlLabel(purl: string): string {
  if (!purl.startsWith('pkg:')) return purl;
  try {
    const p = parsePurl(purl);
    const sep = p.type === 'maven' ? ':' : '/';
    const name = p.namespace ? `${p.namespace}${sep}${p.name}` : p.name;
    return p.version ? `${name}@${p.version}` : name;
  } catch {
    return purl;
  }
}

/** The advisory id with its first CVE alias, e.g. `GHSA-jfh8-c2jp-5v3q (CVE-2021-44228)`. */
export function idWithCve(id: string, aliases: readonly string[]): string {
  if (id.startsWith('CVE-')) return id;
  const cves = aliases.filter((a) => a.startsWith('CVE-'));
  return cves.length ? `${id} (${cves.join(', ')})` : id;
}
