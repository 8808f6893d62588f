import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('groups nearby changes into one hunk', () => {
    const a = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const b = a.replace('b\n', 'B\n').replace('d\n', 'D\n');
    expect(unifiedDiff('x', a, b)).toBe('--- a/x\n+++ b/x\n@@ -1,7 +1,7 @@\n a\n-b\n+B\n c\n-d\n+D\n e\n f\n g\n');
  });
});
