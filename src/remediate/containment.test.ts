import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Advisory } from '../model/advisory.js';
import { containmentFor, loadPlaybook, parsePlaybook } from './containment.js';

const LOG4SHELL = { id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'], modified: '2022-01-01T00:00:00Z' } as Advisory;

describe('containment playbook', () => {
  it('matches an advisory through its alias, case-insensitively', () => {
    const pb = parsePlaybook(
      '# ours\ncve-2021-44228:\n  - "remove JndiLookup.class: zip -q -d log4j-core-*.jar org/apache/logging/log4j/core/lookup/JndiLookup.class"\nGHSA-xxxx-0000-0000: one step\n',
      'vouch.containment.yaml',
    );
    expect(containmentFor(pb, [{ package: 'org.apache.logging.log4j:log4j-core', advisory: LOG4SHELL }])).toEqual([
      {
        key: 'cve-2021-44228',
        advisory: 'GHSA-jfh8-c2jp-5v3q',
        package: 'org.apache.logging.log4j:log4j-core',
        steps: ['remove JndiLookup.class: zip -q -d log4j-core-*.jar org/apache/logging/log4j/core/lookup/JndiLookup.class'],
        source: 'vouch.containment.yaml',
      },
    ]);
  });

  it.each([
    ['CVE-1: [1, 2]\n', /^vouch.containment.yaml \(\$\["CVE-1"\]\): steps of CVE-1 must be a string or a list of strings$/],
    ['- a\n- b\n', /expected a map/],
    ['a: [\n', /vouch.containment.yaml:\d+: /],
  ])('rejects %j with one clear line', (text, re) => {
    expect(() => parsePlaybook(text, 'vouch.containment.yaml')).toThrow();
    try {
      parsePlaybook(text, 'vouch.containment.yaml');
    } catch (e) {
      expect((e as { oneLine(): string }).oneLine()).toMatch(re);
    }
  });

  it('an empty file is an empty playbook', () => {
    expect(containmentFor(parsePlaybook('', 'p.yaml'), [{ package: 'x', advisory: LOG4SHELL }])).toEqual([]);
  });

  it('a playbook that is a FIFO or /dev/zero (named, or found in the project) is refused with one line, never waited on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vouch-containment-'));
    try {
      const fifo = path.join(dir, 'named.yaml');
      execFileSync('mkfifo', [fifo]);
      await expect(loadPlaybook(fifo, [])).rejects.toMatchObject({ code: 'INPUT_UNSUPPORTED', path: fifo, message: 'not a regular file (a FIFO)' });
      symlinkSync('/dev/zero', path.join(dir, 'vouch.containment.yaml'));
      await expect(loadPlaybook(undefined, [dir])).rejects.toMatchObject({ code: 'INPUT_UNSUPPORTED' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
