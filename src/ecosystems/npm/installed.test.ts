import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInventory } from '../../inventory/collect.js';
import { fileInput } from '../../io/input.js';
import { installedExtractor } from './installed.js';

// What npm 10 writes into node_modules/.package-lock.json after installing express@4.17.1 and
// lodash@4.17.15 (trimmed to the entries the test needs): no "" entry, keys relative to the project.
const HIDDEN = {
  name: 'shop',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    'node_modules/express': { version: '4.17.1', dependencies: { qs: '6.7.0' } },
    'node_modules/lodash': { version: '4.17.15', integrity: 'sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A==' },
    'node_modules/qs': { version: '6.7.0', dev: true },
  },
};

describe('npm/installed: node_modules/.package-lock.json', () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), 'vouch-installed-'));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'shop', dependencies: { express: '4.17.1', lodash: '4.17.15' } }));
    mkdirSync(path.join(project, 'node_modules', 'express', 'node_modules'), { recursive: true });
    writeFileSync(path.join(project, 'node_modules', '.package-lock.json'), JSON.stringify(HIDDEN, null, 2));
    // a dependency's own hidden lockfile is not the project's installed tree
    writeFileSync(path.join(project, 'node_modules', 'express', 'node_modules', '.package-lock.json'), JSON.stringify(HIDDEN));
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('wants the project-level hidden lockfile only', () => {
    expect(installedExtractor.wants('/p/node_modules/.package-lock.json')).toBe(true);
    expect(installedExtractor.wants('/p/node_modules/a/node_modules/.package-lock.json')).toBe(false);
    expect(installedExtractor.wants('/p/package-lock.json')).toBe(false);
    expect(installedExtractor.wants('/p/.package-lock.json')).toBe(false);
  });

  it('reads what is installed: components, edges, the project as root, top-level unrequired packages as direct', async () => {
    const file = path.join(project, 'node_modules', '.package-lock.json');
    const inv = await installedExtractor.extract(await fileInput(file));
    expect(inv.source).toEqual({ path: file, extractor: 'npm/installed' });
    const byPurl = inv.graph.components;
    expect([...byPurl.keys()].sort()).toEqual(['pkg:npm/express@4.17.1', 'pkg:npm/lodash@4.17.15', 'pkg:npm/qs@6.7.0']);
    expect(inv.graph.roots.get(`root:${file}`)).toBe('shop');
    expect(byPurl.get('pkg:npm/express@4.17.1')!.direct).toBe(true);
    expect(byPurl.get('pkg:npm/lodash@4.17.15')!.direct).toBe(true);
    expect(byPurl.get('pkg:npm/qs@6.7.0')!.direct).toBe(false); // express requires it
    expect(inv.graph.shortestPath('pkg:npm/qs@6.7.0')).toEqual([`root:${file}`, 'pkg:npm/express@4.17.1', 'pkg:npm/qs@6.7.0']);
    expect(byPurl.get('pkg:npm/lodash@4.17.15')!.locations).toEqual([{ path: file, line: 13 }]); // line 13 of the pretty-printed file, counted by hand
  });

  it('a directory walk reads the installed tree without walking node_modules itself', async () => {
    const walked = await collectInventory([project]);
    expect(walked.inputs.map((i) => [path.relative(project, i.path), i.extractor, i.status])).toEqual([
      [path.join('node_modules', '.package-lock.json'), 'npm/installed', 'ok'],
    ]);
    expect(walked.graph.components.size).toBe(3);
  });
});
