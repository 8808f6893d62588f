/** The policy's verdict as text (docs/policy.md): what the CLI prints on stderr after a scan. */
import type { PolicyResult } from '../triage/policy.js';
import { safeText } from '../model/text.js';

/** Lines shown per rule before "... and N more". */
const SHOWN_PER_RULE = 10;

/**
 * Plain text for the CLI (stderr): one line per violation, `source: FAIL|warn message`, at most
 * ten per rule, then a verdict line. Ends with a newline.
 */
export function renderPolicyResult(result: Pick<PolicyResult, 'failed' | 'violations'>, opts: { all?: boolean } = {}): string {
  const lines: string[] = [];
  const perRule = new Map<string, number>();
  const hidden = new Map<string, number>();
  for (const v of result.violations) {
    const key = `${v.level}\u0000${v.rule.replace(/\[\d+\]$/, '')}`;
    const n = (perRule.get(key) ?? 0) + 1;
    perRule.set(key, n);
    if (!opts.all && n > SHOWN_PER_RULE) {
      hidden.set(key, (hidden.get(key) ?? 0) + 1);
      continue;
    }
    lines.push(`${v.source}: ${v.level === 'fail' ? 'FAIL' : 'warn'} ${v.rule}: ${v.message}`);
  }
  for (const [key, n] of hidden) {
    const [level, rule] = key.split('\u0000') as [string, string];
    lines.push(`... and ${n} more ${level === 'fail' ? 'failing' : 'warning'} ${rule} violation(s)`);
  }
  const f = result.violations.filter((v) => v.level === 'fail').length;
  const w = result.violations.length - f;
  lines.push(result.failed ? `policy failed: ${f} violation(s), ${w} warning(s)` : `policy passed${w ? ` with ${w} warning(s)` : ''}`);
  return safeText(`${lines.join('\n')}\n`);
}

