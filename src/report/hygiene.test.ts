/* eslint-disable no-control-regex -- the test looks for raw control characters on purpose */
/**
 * Output hygiene (issue 12; docs/reliability.md "Parsers, sizes and output"): control characters
 * from inputs and advisories never reach the terminal raw in the human renderers, and a value a
 * megabyte long is cut. The raw forms looked for: ESC (CSI, OSC), BEL, C1 CSI, DEL, CR, and the
 * right-to-left override.
 */
import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';
import { renderMarkdown } from './markdown.js';
import { renderPolicyResult } from './policy.js';
import { renderDiffTable } from './diff.js';
import { sampleReport } from './__fixtures__/reports.js';
import type { ScanReport } from '../model/report.js';

const EVIL = '\u001b]0;owned\u0007\u001b[2J\u009b31m\u007f\r\u202Egnp.exe';
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HUGE = 'x'.repeat(1_000_000);

function evilReport(): ScanReport {
  const r = sampleReport();
  const f = r.findings[0]!;
  f.name = `evil${EVIL}`;
  f.version = `1.0${EVIL}`;
  f.id = `GHSA-${EVIL}`;
  f.fixed = [`2.0${EVIL}`];
  f.paths = [[`app${EVIL}`, `pkg:npm/a@1${encodeURIComponent(EVIL)}`, f.purl]];
  if (f.priority) f.priority.reason = `reason ${EVIL}`;
  r.findings[1]!.name = HUGE;
  const s = r.findings.find((x) => x.suppressed);
  if (s?.suppressed) s.suppressed.source = `vex${EVIL}.json`;
  r.inputs.push({ path: `bad${EVIL}.lock`, status: 'failed', reason: `not valid JSON ${EVIL}`, components: 0, warnings: [] });
  r.inputs.push({ path: 'part.lock', status: 'partial', lost: [`line 3: ${HUGE}${EVIL}`], components: 1, warnings: [] });
  r.unresolved.push({ path: 'requirements.txt', line: 2, name: `n${EVIL}`, spec: `==1${EVIL}`, reason: 'unpinned' });
  return r;
}

describe('human renderers escape controls and cut long values', () => {
  it('the table, coloured or not, plain and verbose: no raw control character but its own colours', () => {
    for (const opts of [{}, { verbose: true }, { color: true }, { color: true, verbose: true }]) {
      const out = renderTable(evilReport(), opts);
      const withoutOwnColours = out.replace(/\u001b\[(?:[0-9;]*)m/g, '');
      expect(RAW.exec(withoutOwnColours)?.[0], JSON.stringify(opts)).toBeUndefined();
      expect(out.includes('evil\\x1B]0;owned\\x07\\x1B[2J\\x9B31m\\x7F\\x0D\\u202Egnp.exe')).toBe(true);
      // a megabyte-long name is cut: no line holds more than a few hundred characters of it
      expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThan(2000);
      expect(out.includes(`${'x'.repeat(200)}…`)).toBe(true);
    }
  });

  it('the coloured table keeps its own SGR codes and only those', () => {
    const out = renderTable(evilReport(), { color: true });
    const escapes = out.match(/\u001b\[[0-9;]*m/g) ?? [];
    expect(escapes.length).toBeGreaterThan(0);
    expect(new Set(escapes)).toEqual(new Set(escapes.filter((e) => ['\u001b[1;31m', '\u001b[31m', '\u001b[33m', '\u001b[36m', '\u001b[2m', '\u001b[35m', '\u001b[0m'].includes(e))));
    expect(out.replace(/\u001b\[[0-9;]*m/g, '').includes('\u001b')).toBe(false);
  });

  it('Markdown', () => {
    const out = renderMarkdown(evilReport());
    expect(RAW.exec(out)?.[0]).toBeUndefined();
  });

  it('the policy verdict and the SBOM diff', () => {
    const pol = renderPolicyResult({ failed: true, violations: [{ rule: 'fail.severity', level: 'fail', message: `m ${EVIL}`, purl: `pkg:npm/${EVIL}`, source: `p${EVIL}.yaml:1` }] }, { all: true });
    expect(RAW.exec(pol)?.[0]).toBeUndefined();
    expect(pol).toContain('\\x1B');
    const diff = renderDiffTable({
      a: { path: `a${EVIL}`, components: 1 },
      b: { path: 'b', components: 1 },
      added: [{ ecosystem: 'npm', name: `n${EVIL}${HUGE}`, from: [], to: [`1${EVIL}`] }],
      removed: [],
      changed: [],
    } as never);
    expect(RAW.exec(diff)?.[0]).toBeUndefined();
    expect(diff.length).toBeLessThan(2000);
  });
});
