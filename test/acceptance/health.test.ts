/** `vouch health` end to end: the built CLI on repositories built here, and --portfolio on ../shared/realworld. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GIT_ENV, TestRepo, cleanupRepos } from '../../src/health/__fixtures__/git-repo.js';
import { HAS_SHARED, shared } from '../../src/testing/shared.js';
import { tempDir, vouch } from './helpers.js';

afterAll(cleanupRepos);

const home = tempDir('health-home');
const env = { ...GIT_ENV, VOUCH_HOME: home };

function goodRepo(): TestRepo {
  const r = new TestRepo();
  r.write('LICENSE', 'MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n');
  r.write('SECURITY.md', 'Report vulnerabilities to security@acme.example; we disclose fixes within 90 days.\n');
  r.write('.github/dependabot.yml', 'version: 2\n');
  r.write('.github/workflows/ci.yml', `on: push\npermissions: read-all\njobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@${'a'.repeat(40)}\n      - run: npm ci\n`);
  r.commits(20, '2025-02-01T00:00:00Z', 6);
  return r;
}

describe('vouch health REPO', () => {
  it('writes JSON with every check, reproducible with --now, exit 0', () => {
    const r = goodRepo();
    const run = vouch(['health', r.dir, '--format', 'json', '--now', '2025-06-01'], env);
    expect(run.code, run.stderr).toBe(0);
    const rep = JSON.parse(run.stdout);
    expect(rep.schema).toBe('vouch-health/1');
    expect(rep.checks).toHaveLength(15);
    const by = Object.fromEntries(rep.checks.map((c: { name: string; score: number | null }) => [c.name, c.score]));
    expect(by).toMatchObject({ License: 10, 'Security-Policy': 10, 'Dependency-Update-Tool': 10, 'Pinned-Dependencies': 10, 'Token-Permissions': 10, 'Dangerous-Workflow': 10, Maintained: 10, Vulnerabilities: null });
    const again = vouch(['health', r.dir, '--format', 'json', '--now', '2025-06-01'], env);
    expect(again.stdout).toBe(run.stdout);
  });

  it('--fail-under: exit 1 below the bar, 0 at or above', () => {
    const r = goodRepo();
    const score = JSON.parse(vouch(['health', r.dir, '-f', 'json', '--now', '2025-06-01'], env).stdout).score as number;
    const fail = vouch(['health', r.dir, '-f', 'table', '--now', '2025-06-01', '--fail-under', String(Math.min(10, score + 0.5))], env);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain(`aggregate score ${score} is below --fail-under`);
    expect(fail.stdout).toContain('Aggregate score:');
    expect(vouch(['health', r.dir, '-f', 'json', '--now', '2025-06-01', '--fail-under', String(score)], env).code).toBe(0);
  });

  it('SARIF annotates the dangerous workflow line', () => {
    const r = new TestRepo().write('.github/workflows/greet.yml', 'on: issues\njobs:\n  g:\n    runs-on: x\n    steps:\n      - run: echo "${{ github.event.issue.body }}"\n').commit('x', '2025-01-01T00:00:00Z');
    const run = vouch(['health', r.dir, '--format', 'sarif'], env);
    expect(run.code, run.stderr).toBe(0);
    const res = JSON.parse(run.stdout).runs[0].results as { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[];
    expect(res.find((x) => x.ruleId === 'Dangerous-Workflow')!.locations[0]!.physicalLocation.region.startLine).toBe(6);
  });

  it('bad input: one line, exit 2, no stack', () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'vouch-plain-'));
    for (const args of [['health', plain], ['health', path.join(plain, 'missing')], ['health', plain, '--now', 'yesterday'], ['health', plain, '--fail-under', 'eleven'], ['health', plain, plain], ['health', '--portfolio', plain, '--fail-under', '5'], ['health', '--portfolio', plain, '--repos', path.join(plain, 'none')]]) {
      const run = vouch(args, env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(/^vouch: /);
      expect(run.stdout).toBe('');
    }
  });
});

describe.skipIf(!HAS_SHARED)('vouch health --portfolio on real lockfiles', () => {
  it('express is a direct production dependency of both deliberately vulnerable Node apps', () => {
    const run = vouch(['health', '--portfolio', shared('realworld', 'OWASP__NodeGoat'), shared('realworld', 'snyk-labs__nodejs-goof'), '--format', 'json'], env);
    expect(run.code, run.stderr).toBe(0);
    const rep = JSON.parse(run.stdout);
    expect(rep.projects).toHaveLength(2);
    const express = rep.packages.find((p: { ecosystem: string; name: string }) => p.ecosystem === 'npm' && p.name === 'express');
    // package-lock.json: NodeGoat locks express 4.16.4, nodejs-goof 4.12.4; both list it in "dependencies"
    expect(express).toMatchObject({ projects: 2, directIn: 2, prodIn: 2 });
    expect(express.uses.map((u: { versions: string[] }) => u.versions[0]).sort()).toEqual(['4.12.4', '4.16.4']);
    expect(rep.packages[0].reliance).toBeGreaterThanOrEqual(express.reliance);
  });
});
