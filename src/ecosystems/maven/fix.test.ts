import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixerTesting, gitApply } from '../../testing/fix.js';
import { planText } from '../shared/fix/text-plan.js';
import { pomManifest } from './fix.js';
import { maven } from './index.js';

// real OSV records copied from ../shared/osv/Maven/all.zip (log4j-core)
const { ctx, tmp, fixture } = fixerTesting(maven, import.meta.url, 'vouch-pomfix-');
const POM = fixture('pom.xml');

describe('pom.xml', () => {
  // log4j-core 2.14.1: GHSA-jfh8 (<2.15.0), GHSA-7rjr (<2.16.0), GHSA-p6xc (<2.17.0), GHSA-8489 (<2.17.1) → 2.17.1
  it('edits the property the version references, with a note', async () => {
    const { plan, edited, original } = await planText(POM, pomManifest, ctx);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ changes: [{ package: 'org.apache.logging.log4j:log4j-core', to: '2.17.1', line: 9 }], removed: 4 });
    expect(plan.steps[0]!.notes[0]).toMatch(/raises the property \$\{log4j.version\}/);
    expect(edited).toBe(original.replace('<log4j.version>2.14.1</log4j.version>', '<log4j.version>2.17.1</log4j.version>'));
    expect(gitApply(tmp.copy(POM), 'pom.xml', POM, plan.diff!)).toBe(edited);
  });

  it('a literal <version> is edited in its dependency', async () => {
    const d = tmp.dir();
    const pom = readFileSync(POM, 'utf8').replace('${log4j.version}', '2.14.1');
    writeFileSync(path.join(d, 'pom.xml'), pom);
    const { edited } = await planText(path.join(d, 'pom.xml'), pomManifest, ctx);
    expect(edited).toBe(pom.replace('<artifactId>log4j-core</artifactId>\n      <version>2.14.1</version>', '<artifactId>log4j-core</artifactId>\n      <version>2.17.1</version>'));
  });
});
