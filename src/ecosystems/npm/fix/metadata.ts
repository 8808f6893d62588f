/**
 * Package metadata the npm planner needs: every published version of a package and each version's
 * declared dependency ranges (the npm "packument"). The planner depends only on the small
 * `PackageMetadataSource` interface below, so tests feed it recorded packuments and the CLI feeds
 * it the registry.
 */
import path from 'node:path';
import { VouchError } from '../../../model/errors.js';
import { loadNpmConfig } from '../registry-config.js';
import { NpmRegistryClient } from '../registry.js';
import { MAX_INPUT_BYTES, readRegularFile } from '../../../io/input.js';

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
      text = (await readRegularFile(file, { maxBytes: MAX_INPUT_BYTES })).toString('utf8');
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
 * The registry source used by `vouch fix` when no `--packuments` folder is given: the npm registry
 * client of src/ecosystems/npm/registry.ts, configured the way npm itself is in the project's
 * folder (`.npmrc`, environment, proxy, auth; never a hard-coded host), abbreviated packuments
 * cached on disk under `<home>/cache/npm` with revalidation. The configuration is read on the
 * first packument asked for, so a plan that needs none never runs `npm config`.
 */
export function registryMetadataSource(opts: { projectDir: string; home: string; registry?: string }): PackageMetadataSource {
  let client: Promise<NpmRegistryClient> | undefined;
  const cache = new Map<string, Promise<Packument>>();
  const clientOf = (): Promise<NpmRegistryClient> =>
    (client ??= loadNpmConfig({ cwd: opts.projectDir, ...(opts.registry ? { registry: opts.registry } : {}) }).then(
      (config) => new NpmRegistryClient({ config, cacheDir: path.join(opts.home, 'cache', 'npm') }),
    ));
  return {
    packument(name: string): Promise<Packument> {
      let p = cache.get(name);
      if (!p) {
        p = clientOf().then(async (c) => asPackument(await c.fetchPackument(name), name, `${c.registryFor(name)}${name}`));
        cache.set(name, p);
      }
      return p;
    },
  };
}
