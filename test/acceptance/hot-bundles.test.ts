/**
 * bin/vouch runs `scan` and `sbom` from bundles of their own (dist/vouch-scan.cjs,
 * dist/vouch-sbom.cjs; scripts/build.mjs) and every other command from dist/vouch.cjs. A command
 * must behave the same from either: the same help, the same errors, the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/testing/shared.js';
import { tempDir } from './helpers.js';

const home = tempDir('hot-home');
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** `main(argv)` of one bundle in a fresh process, with its exit code and output. */
function runBundle(bundle: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const file = path.join(REPO_ROOT, 'dist', bundle);
  const script = `require(${JSON.stringify(file)}).main(['node', 'vouch', ...process.argv.slice(1)])`;
  const r = spawnSync(process.execPath, ['-e', script, ...args], { encoding: 'utf8', env: { ...process.env, VOUCH_HOME: home }, maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const FIXTURE = path.join(REPO_ROOT, 'src', 'ecosystems', 'npm', '__fixtures__', 'nested.v3.json');

describe('hot command bundles', () => {
  it.each([
    ['scan', ['scan', '--help']],
    ['scan', ['scan', '--no-such-option']],
    ['scan', ['scan', path.join(REPO_ROOT, 'no-such-file.json')]],
    ['sbom', ['sbom', '--help']],
    ['sbom', ['sbom', FIXTURE, '--parse-as', 'package-lock.json', '--format', 'cyclonedx-json', '--deterministic']],
    ['sbom', ['sbom', FIXTURE, '--parse-as', 'package-lock.json', '--format', 'spdx-json', '--deterministic']],
  ])('%s %j: the same from its own bundle as from dist/vouch.cjs', (command, args) => {
    const all = runBundle('vouch.cjs', args);
    const hot = runBundle(`vouch-${command}.cjs`, args);
    expect(hot).toEqual(all);
    expect(all.stdout.length + all.stderr.length).toBeGreaterThan(0);
  });
});
