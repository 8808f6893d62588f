/** Small portfolios built in the test: an app's package-lock.json and clones of its dependencies under a repos folder. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Author, GIT_ENV, TestRepo } from '../../health/__fixtures__/git-repo.js';

export const BOB: Author = { name: 'Bob', email: 'bob@acme.example' };

/** A package-lock v3 for `name` with these direct production dependencies (name → version). */
export function appLock(root: string, name: string, deps: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  const packages: Record<string, unknown> = { '': { name, version: '1.0.0', dependencies: Object.fromEntries(Object.keys(deps).map((d) => [d, '*'])) } };
  for (const [d, v] of Object.entries(deps)) packages[`node_modules/${d}`] = { version: v };
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, packages }, null, 2));
  return dir;
}

/** A workflow whose actions are not pinned to a commit, with read-only token permissions and no dangerous pattern. */
export const UNPINNED_WORKFLOW = `on: push
permissions: read-all
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
      - run: npm ci
`;

/**
 * A clone that passes every check a volunteer could fix except Security-Policy (no SECURITY.md)
 * and Pinned-Dependencies (UNPINNED_WORKFLOW): read-only tokens, no dangerous workflow, a fuzz
 * target, no release tags (Signed-Releases not run), two people committing every week.
 */
export function healthyButForPolicyAndPins(): TestRepo {
  const r = new TestRepo('market')
    .write('package.json', JSON.stringify({ name: 'mylib', version: '1.2.0', description: 'A small YAML parser' }))
    .write('LICENSE', 'Apache License\nVersion 2.0, January 2004\n')
    .write('index.js', 'module.exports = (s) => s;\n')
    .write('test/fuzz.js', "const { FuzzedDataProvider } = require('@jazzer.js/core');\nmodule.exports.fuzz = (data) => require('..')(data.toString());\n")
    .write('.github/workflows/ci.yml', UNPINNED_WORKFLOW)
    .commit('first', '2025-06-01T00:00:00Z');
  for (let i = 0; i < 8; i++) r.write('index.js', `module.exports = (s) => s; // ${i}\n`).commit(`change ${i}`, new Date(Date.parse('2026-04-01T00:00:00Z') + i * 7 * 86_400_000).toISOString(), i % 2 ? BOB : undefined);
  return r;
}

/** Moves a test repository into `repos/<name>` (the portfolio finds clones by directory name). */
export function placeClone(repo: TestRepo, repos: string, name: string): string {
  mkdirSync(repos, { recursive: true });
  const to = path.join(repos, name);
  renameSync(repo.dir, to);
  return to;
}

/** Writes files into a clone moved by placeClone and commits them at `date` (isolated from the machine's git config). */
export function commitIn(dir: string, files: Record<string, string>, message: string, date: string, author: Author = BOB): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  const env = { ...process.env, ...GIT_ENV, GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email, GIT_COMMITTER_DATE: date };
  execFileSync('git', ['-C', dir, 'add', '-A'], { env, stdio: 'ignore' });
  execFileSync('git', ['-C', dir, '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', message], { env, stdio: 'ignore' });
}
