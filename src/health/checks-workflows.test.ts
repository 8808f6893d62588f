import { afterAll, describe, expect, it } from 'vitest';
import { TestRepo, cleanupRepos } from './__fixtures__/git-repo.js';
import { dangerousWorkflow, packaging, permissionLevel, pinnedDependencies, sast, shellDeps, tokenPermissions, untrustedExpressions } from './checks-workflows.js';
import { loadContext } from './context.js';

afterAll(cleanupRepos);

const NOW = Math.floor(Date.parse('2025-06-01T00:00:00Z') / 1000);
async function ctxOf(files: Record<string, string>): Promise<Awaited<ReturnType<typeof loadContext>>> {
  const r = new TestRepo();
  for (const [f, c] of Object.entries(files)) r.write(f, c);
  r.commit('initial', '2025-01-01T00:00:00Z');
  return loadContext(r.dir, NOW);
}

const SHA = 'b4ffde65f46336ab88eb53be808477a3936bae11';

// line numbers below are counted by hand from these texts
const PINNED = `name: ci
on: [push]
permissions: read-all
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@${SHA} # v4
      - run: npm ci
`;

const UNPINNED = `name: ci
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@${SHA}
      - run: |
          echo start
          npm install
          curl -sSL https://get.example/install.sh | bash
`;

describe('Pinned-Dependencies', () => {
  it('all pinned: actions by SHA, npm ci, image by digest', async () => {
    const r = await pinnedDependencies(
      await ctxOf({
        '.github/workflows/ci.yml': PINNED,
        Dockerfile: `FROM node:20@sha256:${'a'.repeat(64)} AS build\nRUN npm ci\nFROM build\n`,
      }),
    );
    // checkout@sha, npm ci (workflow), FROM ...@sha256, RUN npm ci; `FROM build` is a stage, not an image
    expect(r.reason).toBe('4 of 4 dependencies pinned');
    expect(r.score).toBe(10);
  });
  it('proportional: 2 of 6 pinned → floor(10·2/6) = 3, with the failing lines', async () => {
    const r = await pinnedDependencies(await ctxOf({ '.github/workflows/ci.yml': UNPINNED, 'docker/Dockerfile': 'FROM python:3.12\nRUN pip install --require-hashes -r req.txt\n' }));
    // deps: checkout@v4 (no), setup-node@sha (yes), npm install (no), curl|bash (no), FROM python:3.12 (no), pip --require-hashes (yes)
    expect(r.reason).toBe('2 of 6 dependencies pinned');
    expect(r.score).toBe(3);
    const fails = r.evidence.filter((e) => e.kind === 'fail').map((e) => `${e.path}:${e.line}`);
    expect(fails).toEqual(['.github/workflows/ci.yml:7', '.github/workflows/ci.yml:11', '.github/workflows/ci.yml:12', 'docker/Dockerfile:1']);
  });
  it('slsa-github-generator by tag counts as pinned; scripts under testdata/ are not counted', async () => {
    const wf = 'on: push\npermissions: read-all\njobs:\n  prov:\n    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0\n';
    const r = await pinnedDependencies(await ctxOf({ '.github/workflows/rel.yml': wf, 'checks/testdata/bad.sh': 'curl https://x.example | sh\n' }));
    expect(r.reason).toBe('1 of 1 dependencies pinned');
    expect(r.evidence).toEqual([{ path: '.', detail: '1 script(s)/Dockerfile(s) under testdata/ or fixtures/ not counted', kind: 'info' }]);
  });
  it('not run when there is nothing to pin', async () => {
    expect((await pinnedDependencies(await ctxOf({ 'README.md': 'x' }))).score).toBeNull();
  });
  it.each([
    ['npm install', false],
    ['npm ci', true],
    ['pip install requests', false],
    ['python -m pip install --require-hashes -r r.txt', true],
    ['go install golang.org/x/tools/cmd/goimports@latest', false],
    ['go install golang.org/x/tools/cmd/goimports@v0.20.0', true],
    ['wget -qO- https://x.example/i | sh', false],
    ['go install github.com/google/addlicense@2fe3ee94479d08be985a84861de4e6b06a1c7208', true],
  ])('shellDeps(%s) pinned=%s', (line, pinned) => {
    expect(shellDeps(line).map((d) => d.pinned)).toEqual([pinned]);
  });
});

describe('Token-Permissions', () => {
  it('read-only top level scores 10; job-level writes are reported, not penalised', async () => {
    const wf = 'on: push\npermissions:\n  contents: read\njobs:\n  rel:\n    permissions:\n      contents: write\n    runs-on: x\n    steps: [{run: echo}]\n';
    const r = tokenPermissions(await ctxOf({ '.github/workflows/rel.yml': wf }));
    expect(r.score).toBe(10);
    expect(r.evidence).toEqual([{ path: '.github/workflows/rel.yml', line: 7, detail: 'job rel has write permission: contents', kind: 'info' }]);
  });
  it('missing permissions everywhere scores 0; write-all at the top scores 0', async () => {
    expect(tokenPermissions(await ctxOf({ '.github/workflows/ci.yml': UNPINNED })).score).toBe(0);
    const r = tokenPermissions(await ctxOf({ '.github/workflows/a.yaml': 'on: push\npermissions: write-all\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n' }));
    expect(r.score).toBe(0);
    expect(r.evidence[0]).toMatchObject({ line: 2, kind: 'fail' });
  });
  it('no top level but every job declares: 9 (Scorecard takes one point)', async () => {
    const r = tokenPermissions(await ctxOf({ '.github/workflows/a.yml': 'on: push\njobs:\n  a:\n    permissions: {}\n    runs-on: x\n    steps: [{run: echo}]\n' }));
    expect(r.score).toBe(9);
  });
  it('permissionLevel', () => {
    expect(permissionLevel({ contents: 'read', 'pull-requests': 'none' }).level).toBe('read');
    expect(permissionLevel({ contents: 'read', packages: 'write' })).toEqual({ level: 'write', writes: ['packages'] });
    expect(permissionLevel(undefined).level).toBe('none-declared');
  });
});

const PWN = `on:
  pull_request_target:
    types: [opened]
permissions: read-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@${SHA}
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm test
`;

const INJECTION = `on: issues
permissions: read-all
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "thanks"
          echo "\${{ github.event.issue.title }}"
      - env:
          TITLE: \${{ github.event.issue.title }}
        run: echo "$TITLE \${{ github.event.issue.number }}"
`;

describe('Dangerous-Workflow', () => {
  it('flags a PR head checkout in a pull_request_target workflow', async () => {
    const r = dangerousWorkflow(await ctxOf({ '.github/workflows/pwn.yml': PWN }));
    expect(r.score).toBe(0);
    expect(r.evidence).toEqual([{ path: '.github/workflows/pwn.yml', line: 9, detail: 'untrusted code checkout in a pull_request_target workflow (job build)', kind: 'fail' }]);
  });
  it('flags an untrusted field inside run: at its script line, not when passed through env', async () => {
    const r = dangerousWorkflow(await ctxOf({ '.github/workflows/greet.yml': INJECTION }));
    expect(r.score).toBe(0);
    expect(r.evidence.map((e) => [e.line, e.detail])).toEqual([[9, 'script injection: ${{ github.event.issue.title }} inside run: (job greet)']]);
  });
  it('passes the same checkout under pull_request (no secrets, read token)', async () => {
    const r = dangerousWorkflow(await ctxOf({ '.github/workflows/ok.yml': PWN.replace('pull_request_target', 'pull_request') }));
    expect(r.score).toBe(10);
  });
  it('flags `gh pr checkout` and a workflow_run head checkout; a plain checkout in pull_request_target is fine', async () => {
    const wr = `on:\n  workflow_run:\n    workflows: [ci]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: \${{ github.event.workflow_run.head_sha }}\n      - run: gh pr checkout 12\n`;
    const r = dangerousWorkflow(await ctxOf({ '.github/workflows/wr.yml': wr }));
    expect(r.evidence.map((e) => e.line)).toEqual([8, 11]);
    const safe = PWN.replace(/\n {8}with:\n {10}ref: .*\n/, '\n');
    expect(safe).not.toContain('head.sha');
    expect(dangerousWorkflow(await ctxOf({ '.github/workflows/pwn.yml': safe })).score).toBe(10);
  });
  it('untrustedExpressions', () => {
    expect(untrustedExpressions('x ${{ github.event.pull_request.head.ref }} ${{ github.sha }} ${{ github.event.commits[0].message }}')).toEqual([
      'github.event.pull_request.head.ref',
      'github.event.commits[0].message',
    ]);
  });
  it('not run without workflows; a workflow that does not parse is evidence, not a crash', async () => {
    expect(dangerousWorkflow(await ctxOf({ 'a.txt': 'x' })).score).toBeNull();
    const r = dangerousWorkflow(await ctxOf({ '.github/workflows/bad.yml': 'on: [push\njobs: {', '.github/workflows/ok.yml': PINNED }));
    expect(r.score).toBe(10);
    expect(r.evidence[0]).toMatchObject({ path: '.github/workflows/bad.yml', kind: 'info' });
  });
});

describe('SAST and Packaging', () => {
  const CODEQL = `on: [push]\njobs:\n  analyze:\n    runs-on: x\n    steps:\n      - uses: github/codeql-action/init@v3\n      - uses: github/codeql-action/analyze@v3\n`;
  const PUBLISH = `on:\n  release:\n    types: [published]\njobs:\n  pub:\n    runs-on: x\n    steps:\n      - run: |\n          npm ci\n          npm publish --provenance\n`;
  it('SAST: CodeQL found at its lines; none → 0', async () => {
    const r = sast(await ctxOf({ '.github/workflows/codeql.yml': CODEQL }));
    expect(r.score).toBe(10);
    expect(r.evidence.map((e) => e.line)).toEqual([6, 7]);
    expect(sast(await ctxOf({ '.github/workflows/ci.yml': PINNED })).score).toBe(0);
  });
  it('Packaging: npm publish in a workflow → 10 at line 10; none → not run', async () => {
    const r = packaging(await ctxOf({ '.github/workflows/pub.yml': PUBLISH }));
    expect(r.score).toBe(10);
    expect(r.evidence[0]!.line).toBe(10);
    expect(packaging(await ctxOf({ '.github/workflows/ci.yml': PINNED })).score).toBeNull();
  });
});
