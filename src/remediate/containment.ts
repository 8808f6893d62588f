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
import { VouchError } from '../model/errors.js';
import type { ContainmentEntry } from '../model/fix.js';
import { readRegularFile } from '../io/input.js';
import { CONTAINMENT_FILE, type Playbook, parsePlaybook } from '../triage/containment.js';

// the format is read in triage/ (the server reads it too); this file finds and loads it for `vouch fix`
export { CONTAINMENT_FILE, type Playbook, parsePlaybook };

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
