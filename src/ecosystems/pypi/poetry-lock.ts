/**
 * `poetry.lock` (lock-version 1.x and 2.x): every `[[package]]` table is a component.
 *
 * - Scope: poetry 2 writes `groups = ["main", "dev"]` (prod when `main` is among them, else dev);
 *   poetry 1 writes `category = "main" | "dev"`. `optional = true` (an extra of the project) makes
 *   a prod package optional.
 * - Edges: `[package.dependencies]` names, resolved by PEP 503 name to every locked version of that
 *   package (markers can select different versions per platform; the lock keeps both).
 * - The lock does not record the project's own requirements (pyproject.toml does), so the root is
 *   linked to the packages no other package requires (then to any still unreachable, for cycles):
 *   `direct` is that inference.
 * - Hashes: `files = [{file, hash}]` (1.1+/2.x) or `[metadata.files]` (1.0).
 * - Git/url/file/directory sources keep the version the lock records, with a warning naming the source.
 */
import type { Scope } from '../../model/component.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import {
  baseName, fileHashes, gitCommit, isPlainObject, linkUnrequired, nameOf, NameIndex, packageTables, parseTomlInput,
  PyContext, versionOrUnresolved, wrongType,
} from './common.js';

const ID = 'pypi/poetry-lock';

export const poetryLockExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['poetry.lock'],
  wants: (p: string) => baseName(p) === 'poetry.lock',
  async extract(input: InputFile): Promise<Inventory> {
    return parsePoetryLock(decodeText(await input.read(), input.path), input.path);
  },
};

export function parsePoetryLock(text: string, file: string): Inventory {
  const data = parseTomlInput(text, file);
  const ctx = new PyContext(file, ID);
  const tables = packageTables(data, text, file, ctx.warnings);
  const meta = data['metadata'];
  const metaFiles = isPlainObject(meta) && isPlainObject(meta['files']) ? meta['files'] : {};
  const index = new NameIndex();
  const deps: { purl: string; names: string[] }[] = [];
  const purls: string[] = [];
  for (const t of tables) {
    const name = nameOf(ctx, t);
    if (name === undefined) continue;
    const version = versionOrUnresolved(ctx, t, name);
    if (version === undefined) continue;
    const groups = t.obj['groups'];
    const category = t.obj['category'];
    let scope: Scope = 'prod';
    if (Array.isArray(groups) && groups.length) scope = groups.includes('main') ? 'prod' : 'dev';
    else if (category === 'dev') scope = 'dev';
    if (scope === 'prod' && t.obj['optional'] === true) scope = 'optional';
    const hashes = fileHashes(t.obj['files'] ?? metaFiles[name]);
    const purl = ctx.add({ name, version, scope, line: t.line, hashes });
    if (!purl) continue;
    purls.push(purl);
    index.add(name, purl);
    const source = t.obj['source'];
    if (isPlainObject(source) && typeof source['type'] === 'string' && source['type'] !== 'legacy') {
      const url = typeof source['url'] === 'string' ? source['url'] : '';
      const ref = source['resolved_reference'] ?? source['reference'];
      const commit = typeof ref === 'string' ? (gitCommit(`#${ref}`) ?? ref) : undefined;
      ctx.warnings.push(
        `line ${t.line ?? '?'}: ${name}@${version} comes from ${source['type']} ${url}${commit ? `@${commit}` : ''}, not the registry; version as the lockfile records it`,
      );
    }
    const d = t.obj['dependencies'];
    if (d !== undefined && !isPlainObject(d)) throw wrongType(file, `${t.where}.dependencies`, 'a table', d, t.line);
    deps.push({ purl, names: d ? Object.keys(d) : [] });
  }
  for (const { purl, names } of deps) for (const n of names) for (const to of index.get(n)) ctx.link(purl, to);
  linkUnrequired(ctx, purls);
  return ctx.inventory();
}
