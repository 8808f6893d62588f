import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, MemoryAdvisories } from './__fixtures__/memory-store.js';
import { unifiedDiff } from './diff.js';
import { planText } from './text-plan.js';

const store = new MemoryAdvisories(path.join(FIXTURES, 'osv-text'));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Applies `diff` with `git apply` in a copy of the fixture and returns the patched text. */
function applyDiff(name: string, diff: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'vouch-textfix-'));
  dirs.push(d);
  const file = path.join(FIXTURES, 'text', name);
  cpSync(file, path.join(d, name));
  // the diff names the file as planned (absolute): re-root it on the copy
  writeFileSync(path.join(d, 'fix.diff'), diff.replaceAll(`a/${file.slice(1)}`, `a/${name}`).replaceAll(`b/${file.slice(1)}`, `b/${name}`));
  const r = spawnSync('git', ['apply', '--verbose', 'fix.diff'], { cwd: d, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(path.join(d, name), 'utf8');
}

describe('text manifest fix plans', () => {
  // Jinja2 2.10: PYSEC-2019-217 (<2.10.1) and PYSEC-2021-66 (<2.11.3) → 2.11.3, the lowest fixed
  // version free of both; PYSEC-2014-8/-82 and PYSEC-2019-220 were fixed before 2.10.
  it('requirements.txt: raises the pin, keeps marker and comments, and the rescan is clean', async () => {
    const file = path.join(FIXTURES, 'text', 'requirements.txt');
    const { plan, edited, original } = await planText(file, store);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ risk: 'minor', changes: [{ package: 'Jinja2', from: '2.10', to: '2.11.3', line: 3 }], fixes: [{ advisories: ['PYSEC-2019-217', 'PYSEC-2021-66'] }] });
    expect(edited).toBe(original.replace('Jinja2==2.10 ;', 'Jinja2==2.11.3 ;'));
    expect(applyDiff('requirements.txt', plan.diff!)).toBe(edited);
    const d = mkdtempSync(path.join(os.tmpdir(), 'vouch-textfix-'));
    dirs.push(d);
    writeFileSync(path.join(d, 'requirements.txt'), edited);
    expect((await planText(path.join(d, 'requirements.txt'), store)).plan.findings).toBe(0);
  });

  // golang.org/x/text v0.3.0: GO-2020-0015 (<0.3.3), GO-2021-0113 (<0.3.7), GO-2022-1059 (<0.3.8),
  // GO-2026-5970 (<0.39.0) → v0.39.0; an `// indirect` requirement is raised in place.
  it('go.mod: raises the indirect require line, comments kept', async () => {
    const file = path.join(FIXTURES, 'text', 'go.mod');
    const { plan, edited, original } = await planText(file, store);
    expect(plan.steps.map((s) => s.changes[0])).toEqual([{ file, kind: 'bump', package: 'golang.org/x/text', from: 'v0.3.0', to: 'v0.39.0', line: 7 }]);
    expect(plan.steps[0]!.removed).toBe(4);
    expect(edited).toBe(original.replace('golang.org/x/text v0.3.0 // indirect', 'golang.org/x/text v0.39.0 // indirect'));
    expect(applyDiff('go.mod', plan.diff!)).toBe(edited);
  });

  // log4j-core 2.14.1: GHSA-jfh8 (<2.15.0), GHSA-7rjr (<2.16.0), GHSA-p6xc (<2.17.0), GHSA-8489 (<2.17.1) → 2.17.1
  it('pom.xml: edits the property the version references, with a note', async () => {
    const file = path.join(FIXTURES, 'text', 'pom.xml');
    const { plan, edited, original } = await planText(file, store);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ changes: [{ package: 'org.apache.logging.log4j:log4j-core', to: '2.17.1', line: 9 }], removed: 4 });
    expect(plan.steps[0]!.notes[0]).toMatch(/raises the property \$\{log4j.version\}/);
    expect(edited).toBe(original.replace('<log4j.version>2.14.1</log4j.version>', '<log4j.version>2.17.1</log4j.version>'));
    expect(applyDiff('pom.xml', plan.diff!)).toBe(edited);
  });

  it('a literal <version> is edited in its dependency', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'vouch-textfix-'));
    dirs.push(d);
    const pom = readFileSync(path.join(FIXTURES, 'text', 'pom.xml'), 'utf8').replace('${log4j.version}', '2.14.1');
    writeFileSync(path.join(d, 'pom.xml'), pom);
    const { edited } = await planText(path.join(d, 'pom.xml'), store);
    expect(edited).toBe(pom.replace('<artifactId>log4j-core</artifactId>\n      <version>2.14.1</version>', '<artifactId>log4j-core</artifactId>\n      <version>2.17.1</version>'));
  });

  it('unifiedDiff groups nearby changes into one hunk', () => {
    const a = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const b = a.replace('b\n', 'B\n').replace('d\n', 'D\n');
    expect(unifiedDiff('x', a, b)).toBe('--- a/x\n+++ b/x\n@@ -1,7 +1,7 @@\n a\n-b\n+B\n c\n-d\n+D\n e\n f\n g\n');
  });
});
