/**
 * The containment playbook's format, `vouch.containment.yaml` (docs/fix.md): a map from an advisory
 * id or alias (CVE, GHSA, OSV id) to one step or a list of steps. Read here, below both shells that
 * use it: `vouch fix` (src/remediate/containment.ts loads the file) and the server, which stores an
 * organisation's playbook and shows its steps on incidents (src/response/containment.ts).
 *
 *   CVE-2021-44228:
 *     - "remove JndiLookup.class: zip -q -d log4j-core-*.jar org/apache/logging/log4j/core/lookup/JndiLookup.class"
 *     - "or run with -Dlog4j2.formatMsgNoLookups=true (2.10 to 2.14.1)"
 */
import { parseYamlInput, yamlToJs } from '../io/yaml.js';
import { VouchError } from '../model/errors.js';

export const CONTAINMENT_FILE = 'vouch.containment.yaml';

export interface Playbook {
  path: string;
  /** id or alias, upper-cased → steps */
  steps: Map<string, { key: string; steps: string[] }>;
}

export function parsePlaybook(text: string, file: string): Playbook {
  // syntax, duplicate keys, custom tags and alias bombs are one-line errors there (io/yaml.ts)
  const value = yamlToJs(parseYamlInput(text, file, { aliases: 'bounded', duplicateKeys: 'error' }), file);
  const steps = new Map<string, { key: string; steps: string[] }>();
  if (value === null || value === undefined) return { path: file, steps };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new VouchError('INPUT_PARSE', 'expected a map from advisory id or alias to steps', { path: file, position: { jsonPath: '$' } });
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const list = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
    if (!list || list.length === 0) {
      throw new VouchError('INPUT_PARSE', `steps of ${key} must be a string or a list of strings`, { path: file, position: { jsonPath: `$[${JSON.stringify(key)}]` } });
    }
    steps.set(key.trim().toUpperCase(), { key, steps: list });
  }
  return { path: file, steps };
}

/** The entries for a vulnerability known by any of `ids` (compared case-insensitively), each once. */
export function playbookSteps(playbook: Playbook, ids: readonly string[]): { key: string; steps: string[] }[] {
  const out = new Map<string, { key: string; steps: string[] }>();
  for (const id of ids) {
    const hit = playbook.steps.get(id.trim().toUpperCase());
    if (hit) out.set(hit.key, hit);
  }
  return [...out.values()];
}
