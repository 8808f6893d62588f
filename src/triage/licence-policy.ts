/**
 * Licence rules of the policy file: a component's licence data, read as SPDX licence expressions
 * (spdx-expression-parse), judged against an allow list and/or a deny list. Matching of one licence
 * against the lists is spdx-satisfies' (`-or-later` / `+` ranges, `-only`, `WITH` exceptions); the
 * expression's AND/OR structure is expanded here so that every outcome has three values: allowed,
 * not allowed, or unknown (text that is not an SPDX expression, `LicenseRef-*` licences the lists
 * do not name, no licence data at all).
 */
import { createRequire } from 'node:module';
import type SpdxParse from 'spdx-expression-parse';
import type SpdxSatisfies from 'spdx-satisfies';

// Loaded on first use: a scan without a licence policy never pays for them.
const load = createRequire(import.meta.url);
let parseLib: typeof SpdxParse | undefined;
let satisfiesLib: typeof SpdxSatisfies | undefined;
const spdxParse = (s: string): SpdxParse.Info => (parseLib ??= load('spdx-expression-parse') as typeof SpdxParse)(s);
const spdxSatisfies = (e: string, l: readonly string[]): boolean =>
  (satisfiesLib ??= load('spdx-satisfies') as typeof SpdxSatisfies)(e, l);

export interface LicenceLists {
  /** Simple SPDX licences (an id, `id+`, `id WITH exception`, `LicenseRef-x`); absent = no allow list. */
  allow?: readonly string[];
  /** Simple SPDX licences denied. */
  deny?: readonly string[];
}

export type LicenceVerdict =
  | { kind: 'allowed'; expression: string }
  /** `offending`: the licences that keep each way of satisfying the expression from passing. */
  | { kind: 'denied'; expression: string; offending: string[]; list: 'allow' | 'deny' }
  | { kind: 'unknown'; expression?: string; reason: string };

/**
 * Checks that `entry` is one licence (no AND/OR) in SPDX syntax with a listed id, as the policy's
 * allow and deny lists need. Returns the reason it is not, or undefined when it is fine.
 */
export function checkListEntry(entry: string): string | undefined {
  let parsed: SpdxParse.Info;
  try {
    parsed = spdxParse(entry);
  } catch (e) {
    return `"${entry}" is not an SPDX licence identifier (${(e as Error).message})`;
  }
  if ('conjunction' in parsed) return `"${entry}" is an expression; list single licences (an AND/OR expression is judged per licence)`;
  return undefined;
}

type Leaf = SpdxParse.LicenseInfo;

/** The expression as an OR of AND-clauses (disjunctive normal form). */
function clauses(node: SpdxParse.Info): Leaf[][] {
  if (!('conjunction' in node)) return [[node]];
  const l = clauses(node.left);
  const r = clauses(node.right);
  if (node.conjunction === 'or') return [...l, ...r];
  const out: Leaf[][] = [];
  for (const a of l) for (const b of r) out.push([...a, ...b]);
  return out;
}

function leafText(l: Leaf): string {
  return `${l.license}${l.plus ? '+' : ''}${l.exception ? ` WITH ${l.exception}` : ''}`;
}

const isRef = (l: Leaf): boolean => /^(DocumentRef-[^:]+:)?LicenseRef-/.test(l.license);

/** `GPL-2.0-or-later` and `GPL-2.0+` both name a range starting at GPL-2.0. */
function isRange(l: Leaf): boolean {
  return l.plus === true || l.license.endsWith('-or-later');
}

function baseOf(l: Leaf): string {
  const base = l.license.endsWith('-or-later') ? `${l.license.slice(0, -'-or-later'.length)}-only` : l.license;
  return `${base}${l.exception ? ` WITH ${l.exception}` : ''}`;
}

/**
 * A leaf is denied when every licence it lets the user choose is denied: for a plain licence, when
 * spdx-satisfies matches it to a deny entry; for a range (`GPL-2.0-or-later`), only when a deny
 * entry that is itself a range covers its first version, since a later version may be chosen.
 */
function deniedBy(l: Leaf, deny: readonly string[]): boolean {
  const text = leafText(l);
  if (!isRange(l)) return spdxSatisfies(text, deny);
  return deny.some((d) => {
    const dl = spdxParse(d) as Leaf;
    return isRange(dl) && spdxSatisfies(baseOf(l), [d]);
  });
}

type LeafState = 'ok' | 'bad' | 'unknown';

function leafState(l: Leaf, lists: LicenceLists): LeafState {
  if (lists.deny?.length && deniedBy(l, lists.deny)) return 'bad';
  if (lists.allow) {
    if (lists.allow.length > 0 && spdxSatisfies(leafText(l), lists.allow)) return 'ok';
    return isRef(l) ? 'unknown' : 'bad';
  }
  return isRef(l) ? 'unknown' : 'ok';
}

/**
 * Judges one licence expression. It passes when some way of satisfying it (one AND-clause of its
 * OR-alternatives) uses only allowed, not denied licences; it is unknown when no clause passes
 * but some clause fails only on licences that cannot be judged (`LicenseRef-*`); else it is denied.
 * Text that is not an SPDX expression (`BSD`, `UNLICENSED`, `SEE LICENSE IN …`) is unknown.
 */
export function judgeExpression(expression: string, lists: LicenceLists): LicenceVerdict {
  const text = expression.trim();
  if (text === '') return { kind: 'unknown', reason: 'empty licence' };
  if (text === 'NOASSERTION' || text === 'NONE') return { kind: 'unknown', expression: text, reason: `licence ${text}` };
  let parsed: SpdxParse.Info;
  try {
    parsed = spdxParse(text);
  } catch {
    return { kind: 'unknown', expression: text, reason: `"${text}" is not an SPDX licence expression` };
  }
  const bad: Leaf[] = []; // what keeps each alternative from passing, for the message
  let unknown: Leaf[] | undefined;
  for (const clause of clauses(parsed)) {
    const states = clause.map((l) => leafState(l, lists));
    if (states.every((s) => s === 'ok')) return { kind: 'allowed', expression: text };
    const clauseBad = clause.filter((_, i) => states[i] === 'bad');
    if (clauseBad.length === 0) unknown ??= clause.filter((_, i) => states[i] === 'unknown');
    else bad.push(...clauseBad);
  }
  if (unknown) {
    return { kind: 'unknown', expression: text, reason: `${unknown.map(leafText).join(', ')} cannot be judged (not an SPDX-listed licence)` };
  }
  const offending = [...new Set(bad.map(leafText))];
  const list = lists.deny?.length && bad.some((l) => deniedBy(l, lists.deny!)) ? 'deny' : 'allow';
  return { kind: 'denied', expression: text, offending, list };
}

/**
 * Judges a component's licence entries. Several entries (CycloneDX lists several licences; SPDX has
 * concluded and declared) all apply: the component passes only when each passes, is denied when
 * one is denied, else unknown when one is unknown. No entry at all is unknown ("no licence data").
 */
export function judgeLicences(licences: readonly string[] | undefined, lists: LicenceLists): LicenceVerdict {
  const entries = [...new Set((licences ?? []).map((l) => l.trim()).filter((l) => l !== ''))];
  if (entries.length === 0) return { kind: 'unknown', reason: 'no licence data' };
  const verdicts = entries.map((e) => judgeExpression(e, lists));
  return verdicts.find((v) => v.kind === 'denied') ?? verdicts.find((v) => v.kind === 'unknown') ?? verdicts[0]!;
}
