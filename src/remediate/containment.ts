/**
 * The organisation's containment playbook, `vouch.containment.yaml`: what to do about an advisory
 * until it can be fixed (or when no fix exists). A map from an advisory id or alias (CVE, GHSA,
 * OSV id) to one step or a list of steps:
 *
 *   CVE-2021-44228:
 *     - "remove JndiLookup.class: zip -q -d log4j-core-*.jar org/apache/logging/log4j/core/lookup/JndiLookup.class"
 *     - "or run with -Dlog4j2.formatMsgNoLookups=true (2.10 to 2.14.1)"
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Advisory } from '../model/advisory.js';
import { decodeText } from '../io/json.js';
import { parseYamlInput, yamlToJs } from '../io/yaml.js';
import { VouchError } from '../model/errors.js';
import type { ContainmentEntry } from '../model/fix.js';
import { readRegularFile } from '../io/input.js';

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

/** Reads `file`, or `vouch.containment.yaml` in one of `dirs` when no file is named; undefined when there is none. */
export async function loadPlaybook(file: string | undefined, dirs: readonly string[]): Promise<Playbook | undefined> {
  const candidates = file ? [file] : dirs.map((d) => path.join(d, CONTAINMENT_FILE));
  for (const c of candidates) {
    if (!existsSync(c)) {
      if (file) throw new VouchError('INPUT_MISSING', 'containment playbook not found', { path: c });
      continue;
    }
    return parsePlaybook(decodeText(await readRegularFile(c).catch((e: unknown) => {
      if (e instanceof VouchError) throw e;
      throw new VouchError('INPUT_MISSING', `cannot read the containment playbook (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { path: c, cause: e });
    }), c), c);
  }
  return undefined;
}

/** Playbook entries for the advisories of a plan, matched by id or any alias. */
export function containmentFor(playbook: Playbook | undefined, found: readonly { package: string; advisory: Advisory }[]): ContainmentEntry[] {
  if (!playbook) return [];
  const out: ContainmentEntry[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    for (const id of [f.advisory.id, ...(f.advisory.aliases ?? [])]) {
      const hit = playbook.steps.get(id.toUpperCase());
      const k = `${f.package} ${f.advisory.id} ${hit?.key}`;
      if (!hit || seen.has(k)) continue;
      seen.add(k);
      out.push({ key: hit.key, advisory: f.advisory.id, package: f.package, steps: hit.steps, source: playbook.path });
    }
  }
  return out;
}
