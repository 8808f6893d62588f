/**
 * `pdm.lock`: `[[package]]` tables with `name`, `version`, `groups` (older locks: `sections`),
 * `dependencies` (PEP 508 strings) and `files` hashes.
 *
 * - Scope: `default` among the groups → prod; else a group named `dev` → dev; any other group (an
 *   optional-dependency group) → optional. No groups → prod.
 * - Edges: dependency names resolved by PEP 503 name; the lock does not record the project's own
 *   requirements, so the root is linked to the packages nothing else requires (then any still
 *   unreachable): `direct` is that inference.
 * - `git` + `revision`: kept at the recorded version, with a warning naming the source.
 */
import type { Scope } from '../../model/component.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import {
  baseName, fileHashes, linkUnrequired, nameOf, NameIndex, packageTables, parseTomlInput, PyContext, requirementName,
  versionOrUnresolved, wrongType,
} from './common.js';

const ID = 'pypi/pdm-lock';

export const pdmLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['pdm.lock'],
  wants: (p: string) => baseName(p) === 'pdm.lock',
  async extract(input: InputFile): Promise<Inventory> {
    return parsePdmLock(decodeText(await input.read(), input.path), input.path);
  },
};

export function parsePdmLock(text: string, file: string): Inventory {
  const data = parseTomlInput(text, file);
  const ctx = new PyContext(file, ID);
  const tables = packageTables(data, text, file, ctx.warnings);
  const index = new NameIndex();
  const deps: { purl: string; names: string[] }[] = [];
  const purls: string[] = [];
  for (const t of tables) {
    const name = nameOf(ctx, t);
    if (name === undefined) continue;
    const version = versionOrUnresolved(ctx, t, name);
    if (version === undefined) continue;
    const g = t.obj['groups'] ?? t.obj['sections'];
    const groups = Array.isArray(g) ? g.filter((x): x is string => typeof x === 'string') : [];
    const scope: Scope = !groups.length || groups.includes('default') ? 'prod' : groups.includes('dev') ? 'dev' : 'optional';
    const purl = ctx.add({ name, version, scope, line: t.line, hashes: fileHashes(t.obj['files']) });
    if (!purl) continue;
    purls.push(purl);
    index.add(name, purl);
    if (typeof t.obj['git'] === 'string') {
      const rev = typeof t.obj['revision'] === 'string' ? `@${t.obj['revision']}` : '';
      ctx.warnings.push(`line ${t.line ?? '?'}: ${name}@${version} comes from git ${t.obj['git']}${rev}, not the registry; version as the lockfile records it`);
    }
    const d = t.obj['dependencies'];
    if (d !== undefined && !Array.isArray(d)) throw wrongType(file, `${t.where}.dependencies`, 'an array', d, t.line);
    const names: string[] = [];
    for (const [i, r] of (d ?? []).entries()) {
      if (typeof r !== 'string') throw wrongType(file, `${t.where}.dependencies[${i}]`, 'a string', r, t.line);
      const n = requirementName(r);
      if (n) names.push(n);
    }
    deps.push({ purl, names });
  }
  for (const { purl, names } of deps) for (const n of names) for (const to of index.get(n)) ctx.link(purl, to);
  linkUnrequired(ctx, purls);
  return ctx.inventory();
}
