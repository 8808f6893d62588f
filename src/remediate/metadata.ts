/**
 * Package metadata the npm planner needs: every published version of a package and each version's
 * declared dependency ranges (the npm "packument"). The planner depends only on the small
 * `PackageMetadataSource` interface below, so tests feed it recorded packuments and the CLI feeds
 * it the registry.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { VouchError } from '../model/errors.js';

/** One version of a packument: only the fields the planner reads. */
export interface PackumentVersion {
  name?: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  deprecated?: string;
}

/** The npm registry document of one package (full or abbreviated "corgi" form). */
export interface Packument {
  name: string;
  'dist-tags'?: Record<string, string>;
  versions: Record<string, PackumentVersion>;
}

export interface PackageMetadataSource {
  /** The packument of `name`; throws VouchError (NETWORK / INPUT_MISSING) when it cannot be had. */
  packument(name: string): Promise<Packument>;
}

/** Checks the shape the planner relies on; `where` names the origin in the error. */
export function asPackument(value: unknown, name: string, where: string): Packument {
  const v = value as Partial<Packument> | null;
  if (!v || typeof v !== 'object' || typeof v.versions !== 'object' || v.versions === null) {
    throw new VouchError('INPUT_PARSE', `packument of ${name} has no "versions" object`, { path: where, position: { jsonPath: '$.versions' } });
  }
  return { name: typeof v.name === 'string' ? v.name : name, 'dist-tags': v['dist-tags'] ?? {}, versions: v.versions };
}

/**
 * Recorded packuments in a folder: `<dir>/<name>.json`, a scoped name's slash written as `%2f`
 * (`@types%2fnode.json`). Used by tests and by `vouch fix --packuments DIR` (offline planning).
 */
export class DirectoryMetadataSource implements PackageMetadataSource {
  private readonly cache = new Map<string, Promise<Packument>>();
  constructor(private readonly dir: string) {}

  packument(name: string): Promise<Packument> {
    let p = this.cache.get(name);
    if (!p) {
      p = this.load(name);
      this.cache.set(name, p);
    }
    return p;
  }

  private async load(name: string): Promise<Packument> {
    const file = path.join(this.dir, `${name.replace('/', '%2f')}.json`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new VouchError('INPUT_MISSING', `no recorded packument for ${name}`, { path: file });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new VouchError('INPUT_PARSE', `not JSON (${(e as Error).message})`, { path: file, cause: e });
    }
    return asPackument(json, name, file);
  }
}

/**
 * ADAPTER POINT (integrator): the registry source used by `vouch fix` when no `--packuments` folder
 * is given. Until `src/ecosystems/npm/registry.ts` (`fetchPackument(name)`, honouring the user's npm
 * config, cached on disk) is merged, this is a minimal stand-in: npm-registry-fetch against
 * `$npm_config_registry` (default https://registry.npmjs.org/), abbreviated packuments, cached in
 * memory for one run only. Replace the body of `registryMetadataSource` with
 * `{ packument: (name) => fetchPackument(name) }` (adapting the return type with `asPackument`).
 */
export function registryMetadataSource(): PackageMetadataSource {
  const cache = new Map<string, Promise<Packument>>();
  const registry = process.env['npm_config_registry'] ?? process.env['NPM_CONFIG_REGISTRY'] ?? 'https://registry.npmjs.org/';
  return {
    packument(name: string): Promise<Packument> {
      let p = cache.get(name);
      if (!p) {
        p = (async () => {
          const { default: fetch } = await import('npm-registry-fetch');
          try {
            const json = await fetch.json(`/${name.replace('/', '%2f')}`, {
              registry,
              headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
            });
            return asPackument(json, name, `${registry}${name}`);
          } catch (e) {
            if (e instanceof VouchError) throw e;
            throw new VouchError('NETWORK', `cannot fetch the packument of ${name} (${(e as Error).message})`, { path: registry, cause: e });
          }
        })();
        cache.set(name, p);
      }
      return p;
    },
  };
}
