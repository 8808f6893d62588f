import { describe, expect, it } from 'vitest';
import { fixerTesting, gitApply } from '../../testing/fix.js';
import { planText } from '../shared/fix/text-plan.js';
import { goModManifest } from './fix.js';
import { golang } from './index.js';

// real OSV records copied from ../shared/osv/Go/all.zip (golang.org/x/text)
const { ctx, tmp, fixture } = fixerTesting(golang, import.meta.url, 'vouch-gofix-');

describe('go.mod', () => {
  // golang.org/x/text v0.3.0: GO-2020-0015 (<0.3.3), GO-2021-0113 (<0.3.7), GO-2022-1059 (<0.3.8),
  // GO-2026-5970 (<0.39.0) → v0.39.0; an `// indirect` requirement is raised in place.
  it('raises the indirect require line, comments kept', async () => {
    const file = fixture('go.mod');
    const { plan, edited, original } = await planText(file, goModManifest, ctx);
    expect(plan.steps.map((s) => s.changes[0])).toEqual([{ file, kind: 'bump', package: 'golang.org/x/text', from: 'v0.3.0', to: 'v0.39.0', line: 7 }]);
    expect(plan.steps[0]!.removed).toBe(4);
    expect(edited).toBe(original.replace('golang.org/x/text v0.3.0 // indirect', 'golang.org/x/text v0.39.0 // indirect'));
    expect(gitApply(tmp.copy(file), 'go.mod', file, plan.diff!)).toBe(edited);
  });
});
