/** Unified diffs of line edits (what `vouch fix --diff` prints for the manifests it edits line by line). */

/** A unified diff of `before` → `after` where only whole lines were replaced (same line count), 3 lines of context. */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) throw new Error('unifiedDiff handles line replacements only');
  const changed = a.map((l, i) => l !== b[i]).flatMap((c, i) => (c ? [i] : []));
  if (!changed.length) return '';
  // group changed lines whose context windows touch
  const hunks: [number, number][] = [];
  for (const i of changed) {
    const last = hunks[hunks.length - 1];
    if (last && i - last[1] <= 2 * context) last[1] = i;
    else hunks.push([i, i]);
  }
  const name = file.replace(/^\/+/, '');
  const out = [`--- a/${name}`, `+++ b/${name}`];
  const lastIndex = a[a.length - 1] === '' ? a.length - 2 : a.length - 1;
  for (const [first, lastChanged] of hunks) {
    const start = Math.max(0, first - context);
    const end = Math.min(lastIndex, lastChanged + context);
    const body: string[] = [];
    let count = 0;
    for (let i = start; i <= end; i++) {
      if (a[i] === b[i]) {
        body.push(` ${a[i]}`);
        count++;
      } else {
        body.push(`-${a[i]}`);
        body.push(`+${b[i]}`);
        count++;
      }
    }
    out.push(`@@ -${start + 1},${count} +${start + 1},${count} @@`, ...body);
  }
  return `${out.join('\n')}\n`;
}
