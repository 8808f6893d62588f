/**
 * The policy file, `vouch.policy.yaml` (docs/policy.md, docs/policy.schema.json): when findings fail
 * a build, which advisories are ignored (with a reason, until an expiry date), and which licences
 * components may carry. Loading names `file:line` for every mistake; evaluation returns data (the
 * violations, each with the `file:line` of the rule it comes from) and never prints.
 */
import type * as Yaml from 'yaml';
import { yamlLib } from '../io/libs.js';
import { parseYamlInput } from '../io/yaml.js';
import { decodeText } from '../io/json.js';
import { VouchError } from '../model/errors.js';
import type { Scope } from '../model/component.js';
import { InvalidPurlError, parsePurl } from '../model/purl.js';
import { purlCovers } from './purl-match.js';
import type { ReportFinding, Suppression } from '../model/triage.js';
import type { ScanReport } from '../model/report.js';
import { atLeast } from './severity.js';
import type { Rating } from '../model/triage.js';
import { checkListEntry, judgeLicences } from './licence-policy.js';
import { readRegularFileSync } from '../io/input.js';

export { POLICY_FILE_NAMES, findPolicyFile } from './policy-file.js';

export { judgeExpression, judgeLicences, checkListEntry, type LicenceLists, type LicenceVerdict } from './licence-policy.js';


/** A policy threshold: a rating, `any` (every finding) or `none` (findings never fail). */
export type FailSeverity = Exclude<Rating, 'NONE' | 'UNKNOWN'> | 'any' | 'none';

/** `file:line` of a key in the policy file. */
export type Source = string;

export interface FailRules {
  severity?: { value: FailSeverity; source: Source };
  kev?: { value: boolean; source: Source };
  epss?: { value: number; source: Source };
  epssPercentile?: { value: number; source: Source };
  scopes?: { value: Scope[]; source: Source };
  source: Source;
}

export interface IgnoreRule {
  /** `ignore[i]`, 0-based as in a JSON path. */
  rule: string;
  id: string;
  /** The purl given (no version = every version). */
  package?: string;
  reason: string;
  /** YYYY-MM-DD: the last day (UTC) the rule suppresses. */
  expires: string;
  source: Source;
}

export interface LicenceException {
  rule: string;
  package: string;
  reason: string;
  source: Source;
}

export interface LicenceRules {
  allow?: { value: string[]; source: Source };
  deny?: { value: string[]; source: Source };
  unknown: { value: 'allow' | 'warn' | 'fail'; source: Source };
  exceptions: LicenceException[];
  source: Source;
}

export interface Policy {
  /** The file as it was given (shown in every `source`). */
  file: string;
  version: 1;
  /** Absent: the scan's --fail-on decides which findings fail. */
  fail?: FailRules;
  ignore: IgnoreRule[];
  /** Absent: licences are not checked. */
  licenses?: LicenceRules;
}

export interface PolicyViolation {
  /** The rule that fired: `fail.severity`, `fail.kev`, `fail.epss`, `fail.epssPercentile`, `--fail-on`, `ignore[2]`, `licenses.allow`, `licenses.deny`, `licenses.unknown`. */
  rule: string;
  /** `fail` makes the policy fail (exit 1); `warn` is shown and does not. */
  level: 'fail' | 'warn';
  message: string;
  purl?: string;
  /** The advisory id of a finding violation or an ignore rule. */
  id?: string;
  /** `file:line` of the rule (`--fail-on` for the command-line threshold). */
  source: string;
}

export interface PolicyResult {
  failed: boolean;
  /** Failing violations first, then warnings; each group in report order. */
  violations: PolicyViolation[];
  /** The policy's ignore suppression for a finding (an unexpired matching rule), else undefined. VEX is not consulted. */
  suppress: (f: ReportFinding) => Suppression | undefined;
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Reads and checks a policy file; every mistake is a VouchError INPUT_PARSE naming `file:line`. */
export function loadPolicy(file: string): Policy {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(file);
  } catch (e) {
    if (e instanceof VouchError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new VouchError('INPUT_MISSING', `cannot read the policy file (${code ?? (e as Error).message})`, { path: file, cause: e });
  }
  return parsePolicy(decodeText(bytes, file), file);
}

const TOP_KEYS = ['version', 'fail', 'ignore', 'licenses'];
const FAIL_KEYS = ['severity', 'kev', 'epss', 'epssPercentile', 'scopes'];
const IGNORE_KEYS = ['id', 'package', 'reason', 'expires'];
const LICENCE_KEYS = ['allow', 'deny', 'unknown', 'exceptions'];
const EXCEPTION_KEYS = ['package', 'reason'];
const SCOPES: readonly Scope[] = ['prod', 'dev', 'optional', 'unknown'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'any', 'none'];

/** Parses policy text; `file` names the file in errors and sources. */
export function parsePolicy(text: string, file: string): Policy {
  const Y = yamlLib();
  // syntax, duplicate keys, custom tags and alias bombs are one-line errors there (io/yaml.ts)
  const { doc, lines: lc } = parseYamlInput(text, file, { aliases: 'bounded', duplicateKeys: 'error' });
  const lineOf = (n: Yaml.Node | Yaml.Pair | null | undefined): number | undefined => {
    const r = n && 'range' in n ? n.range : n && 'key' in n && Y.isNode(n.key) ? n.key.range : undefined;
    return r ? lc.linePos(r[0]).line : undefined;
  };
  const fail = (msg: string, at: Yaml.Node | Yaml.Pair | null | undefined | number): never => {
    const line = typeof at === 'number' ? at : lineOf(at);
    throw new VouchError('INPUT_PARSE', msg, { path: file, ...(line !== undefined ? { position: { line } } : {}) });
  };
  const src = (n: Yaml.Node | Yaml.Pair | null | undefined): Source => `${file}:${lineOf(n) ?? 1}`;

  /** The pairs of a map node, checking keys against `allowed`. */
  const mapOf = (n: unknown, where: string, allowed: readonly string[], at: Yaml.Node | Yaml.Pair | null | undefined): Map<string, Yaml.Pair<Yaml.Node, Yaml.Node | null>> => {
    if (!Y.isMap(n)) fail(`${where} must be a map`, (n as Yaml.Node | null) ?? at);
    const out = new Map<string, Yaml.Pair<Yaml.Node, Yaml.Node | null>>();
    for (const p of (n as Yaml.YAMLMap<Yaml.Node, Yaml.Node | null>).items) {
      const k = Y.isScalar(p.key) ? String(p.key.value) : undefined;
      if (k === undefined) fail(`${where}: keys must be plain names`, p);
      if (!allowed.includes(k!)) fail(`${where}: unknown key "${k}" (expected one of ${allowed.join(', ')})`, p);
      out.set(k!, p);
    }
    return out;
  };
  const scalar = (p: Yaml.Pair<Yaml.Node, Yaml.Node | null>, where: string): unknown => {
    if (p.value === null || (Y.isScalar(p.value) && p.value.value === null)) fail(`${where} has no value`, p);
    if (!Y.isScalar(p.value)) fail(`${where} must be a single value, not a ${Y.isMap(p.value) ? 'map' : 'list'}`, p.value ?? p);
    return (p.value as Yaml.Scalar).value;
  };
  const str = (p: Yaml.Pair<Yaml.Node, Yaml.Node | null>, where: string): string => {
    const v = scalar(p, where);
    if (typeof v !== 'string') fail(`${where} must be a string (got ${JSON.stringify(v)})`, p.value);
    if ((v as string).trim() === '') fail(`${where} must not be empty`, p.value);
    return (v as string).trim();
  };
  const strList = (p: Yaml.Pair<Yaml.Node, Yaml.Node | null>, where: string): { value: string; node: Yaml.Node }[] => {
    if (!Y.isSeq(p.value)) fail(`${where} must be a list`, p.value ?? p);
    const items = (p.value as Yaml.YAMLSeq<Yaml.Node | null>).items;
    if (items.length === 0) fail(`${where} must not be empty`, p.value);
    return items.map((it, i) => {
      if (!Y.isScalar(it) || typeof it.value !== 'string' || it.value.trim() === '') fail(`${where}[${i}] must be a non-empty string`, it ?? p);
      return { value: ((it as Yaml.Scalar).value as string).trim(), node: it as Yaml.Node };
    });
  };

  const root = doc.contents;
  if (root === null || (Y.isScalar(root) && (root.value === null || root.value === ''))) fail('the policy file is empty (it needs at least `version: 1`)', 1);
  const top = mapOf(root, 'the policy', TOP_KEYS, root);

  const versionPair = top.get('version');
  if (!versionPair) fail('`version: 1` is missing', root);
  const version = scalar(versionPair!, 'version');
  if (version !== 1) fail(`version must be 1 (got ${JSON.stringify(version)})`, versionPair!.value);

  const policy: Policy = { file, version: 1, ignore: [] };

  const failPair = top.get('fail');
  if (failPair) {
    const m = mapOf(failPair.value, 'fail', FAIL_KEYS, failPair);
    const rules: FailRules = { source: src(failPair) };
    const sev = m.get('severity');
    if (sev) {
      const v = str(sev, 'fail.severity').toLowerCase();
      if (!SEVERITIES.includes(v)) fail(`fail.severity must be one of ${SEVERITIES.join(', ')} (got "${v}")`, sev.value);
      rules.severity = { value: (v === 'any' || v === 'none' ? v : v.toUpperCase()) as FailSeverity, source: src(sev) };
    }
    const kev = m.get('kev');
    if (kev) {
      const v = scalar(kev, 'fail.kev');
      if (typeof v !== 'boolean') fail(`fail.kev must be true or false (got ${JSON.stringify(v)})`, kev.value);
      rules.kev = { value: v as boolean, source: src(kev) };
    }
    for (const key of ['epss', 'epssPercentile'] as const) {
      const p = m.get(key);
      if (!p) continue;
      const v = scalar(p, `fail.${key}`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(`fail.${key} must be a number from 0 to 1 (got ${JSON.stringify(v)})`, p.value);
      rules[key] = { value: v as number, source: src(p) };
    }
    const scopes = m.get('scopes');
    if (scopes) {
      const list = strList(scopes, 'fail.scopes');
      for (const s of list) if (!SCOPES.includes(s.value as Scope)) fail(`fail.scopes: unknown scope "${s.value}" (expected ${SCOPES.join(', ')})`, s.node);
      rules.scopes = { value: [...new Set(list.map((s) => s.value as Scope))], source: src(scopes) };
    }
    policy.fail = rules;
  }

  const ignorePair = top.get('ignore');
  if (ignorePair) {
    if (!Y.isSeq(ignorePair.value)) fail('ignore must be a list of rules', ignorePair.value ?? ignorePair);
    (ignorePair.value as Yaml.YAMLSeq<Yaml.Node | null>).items.forEach((item, i) => {
      const where = `ignore[${i}]`;
      const m = mapOf(item, where, IGNORE_KEYS, ignorePair);
      const need = (k: string): Yaml.Pair<Yaml.Node, Yaml.Node | null> => m.get(k) ?? fail(`${where}: "${k}" is required${k === 'reason' ? ' (say why the finding does not apply)' : k === 'expires' ? ' (YYYY-MM-DD: when to look again)' : ''}`, item);
      const id = str(need('id'), `${where}.id`);
      const reason = str(need('reason'), `${where}.reason`);
      const expPair = need('expires');
      const expires = String(scalar(expPair, `${where}.expires`));
      if (!isDate(expires)) fail(`${where}.expires must be a date YYYY-MM-DD (got "${expires}")`, expPair.value);
      const rule: IgnoreRule = { rule: where, id, reason, expires, source: src(item) };
      const pkg = m.get('package');
      if (pkg) rule.package = checkPurl(str(pkg, `${where}.package`), `${where}.package`, (msg) => fail(msg, pkg.value));
      policy.ignore.push(rule);
    });
  }

  const licPair = top.get('licenses');
  if (licPair) {
    const m = mapOf(licPair.value, 'licenses', LICENCE_KEYS, licPair);
    const rules: LicenceRules = { unknown: { value: 'warn', source: src(licPair) }, exceptions: [], source: src(licPair) };
    for (const key of ['allow', 'deny'] as const) {
      const p = m.get(key);
      if (!p) continue;
      const list = strList(p, `licenses.${key}`);
      list.forEach((e, i) => {
        const why = checkListEntry(e.value);
        if (why) fail(`licenses.${key}[${i}]: ${why}`, e.node);
      });
      rules[key] = { value: list.map((e) => e.value), source: src(p) };
    }
    const unk = m.get('unknown');
    if (unk) {
      const v = str(unk, 'licenses.unknown');
      if (v !== 'allow' && v !== 'warn' && v !== 'fail') fail(`licenses.unknown must be allow, warn or fail (got "${v}")`, unk.value);
      rules.unknown = { value: v as 'allow' | 'warn' | 'fail', source: src(unk) };
    }
    const exc = m.get('exceptions');
    if (exc) {
      if (!Y.isSeq(exc.value)) fail('licenses.exceptions must be a list', exc.value ?? exc);
      (exc.value as Yaml.YAMLSeq<Yaml.Node | null>).items.forEach((item, i) => {
        const where = `licenses.exceptions[${i}]`;
        const em = mapOf(item, where, EXCEPTION_KEYS, exc);
        const pkgPair = em.get('package') ?? fail(`${where}: "package" is required`, item);
        const reasonPair = em.get('reason') ?? fail(`${where}: "reason" is required (say why this licence is accepted)`, item);
        const pkg = checkPurl(str(pkgPair, `${where}.package`), `${where}.package`, (msg) => fail(msg, pkgPair.value));
        rules.exceptions.push({ rule: where, package: pkg, reason: str(reasonPair, `${where}.reason`), source: src(item) });
      });
    }
    policy.licenses = rules;
  }
  return policy;
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function checkPurl(s: string, where: string, fail: (msg: string) => never): string {
  try {
    parsePurl(s);
  } catch (e) {
    if (!(e instanceof InvalidPurlError)) throw e;
    fail(`${where}: ${e.message}`);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Matching


function findingIds(f: ReportFinding): Set<string> {
  return new Set([f.id, ...(f.ids ?? []), ...f.aliases].map((x) => x.toUpperCase()));
}

function ignoreMatches(rule: IgnoreRule, f: ReportFinding): boolean {
  return findingIds(f).has(rule.id.toUpperCase()) && (rule.package === undefined || purlCovers(rule.package, f.purl));
}

/** The first moment the rule no longer applies: the day after `expires`, 00:00 UTC. */
function expiryInstant(expires: string): number {
  const [y, m, d] = expires.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d + 1);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/**
 * The policy's unexpired ignore rules as a suppression hook: the triage stage applies it with VEX
 * while it builds the report, so the report is built once, with ignored findings counted and
 * ordered as suppressed.
 */
export function ignoreSuppressor(policy: Policy, now: Date = new Date()): (f: ReportFinding) => Suppression | undefined {
  const t = now.getTime();
  const live = policy.ignore.filter((r) => t < expiryInstant(r.expires));
  return (f) => {
    const r = live.find((rule) => ignoreMatches(rule, f));
    return r ? { by: 'ignore', status: 'ignored', justification: r.reason, source: r.source, expires: r.expires } : undefined;
  };
}

/**
 * Applies the policy to a scan report and the scanned components' licences.
 * - Findings: a finding counts when it is not suppressed (by VEX, `f.suppressed`, or by an unexpired
 *   ignore rule) and is in one of `fail.scopes` (when given); it fails when it meets any `fail`
 *   condition. Without a `fail` section, `report.failOn` (the --fail-on threshold) decides.
 * - Ignore rules: an expired rule suppresses nothing and is itself a failing violation; a rule
 *   that matches no finding is a warning (stale).
 * - Licences (when the policy has a `licenses` section): see judgeLicences.
 */
export function evaluatePolicy(
  policy: Policy,
  report: Pick<ScanReport, 'findings' | 'failOn'>,
  components: ReadonlyArray<{ purl: string; licenses?: string[] }>,
  now: Date = new Date(),
): PolicyResult {
  const t = now.getTime();
  const suppress = ignoreSuppressor(policy, now);
  const fails: PolicyViolation[] = [];
  const warns: PolicyViolation[] = [];

  for (const r of policy.ignore) {
    if (t >= expiryInstant(r.expires)) {
      fails.push({
        rule: r.rule,
        level: 'fail',
        message: `ignore rule for ${r.id}${r.package ? ` (${r.package})` : ''} expired on ${r.expires}; renew it with a new date or remove it`,
        id: r.id,
        ...(r.package ? { purl: r.package } : {}),
        source: r.source,
      });
    } else if (!report.findings.some((f) => ignoreMatches(r, f))) {
      warns.push({
        rule: r.rule,
        level: 'warn',
        message: `ignore rule for ${r.id}${r.package ? ` (${r.package})` : ''} matches no finding (stale? remove it)`,
        id: r.id,
        ...(r.package ? { purl: r.package } : {}),
        source: r.source,
      });
    }
  }

  for (const f of report.findings) {
    if (f.suppressed || suppress(f)) continue;
    const reasons = failReasons(policy, report.failOn, f);
    if (reasons.length === 0) continue;
    fails.push({
      rule: reasons[0]!.rule,
      level: 'fail',
      message: `${f.id} in ${f.purl}: ${reasons.map((r) => r.why).join('; ')}`,
      id: f.id,
      purl: f.purl,
      source: reasons[0]!.source,
    });
  }

  const lic = policy.licenses;
  if (lic) {
    const lists = { ...(lic.allow ? { allow: lic.allow.value } : {}), ...(lic.deny ? { deny: lic.deny.value } : {}) };
    const seen = new Set<string>();
    const usedExceptions = new Set<LicenceException>();
    for (const c of components) {
      if (seen.has(c.purl)) continue;
      seen.add(c.purl);
      const exc = lic.exceptions.filter((e) => purlCovers(e.package, c.purl));
      if (exc.length > 0) {
        for (const e of exc) usedExceptions.add(e);
        continue;
      }
      const v = judgeLicences(c.licenses, lists);
      if (v.kind === 'denied') {
        const rule = v.list === 'deny' ? lic.deny! : lic.allow!;
        fails.push({
          rule: `licenses.${v.list}`,
          level: 'fail',
          message:
            v.list === 'deny'
              ? `${c.purl}: licence ${v.expression} is denied (${v.offending.join(', ')})`
              : `${c.purl}: licence ${v.expression} is not allowed (${v.offending.join(', ')} not in the allow list)`,
          purl: c.purl,
          source: rule.source,
        });
      } else if (v.kind === 'unknown' && lic.unknown.value !== 'allow') {
        (lic.unknown.value === 'fail' ? fails : warns).push({
          rule: 'licenses.unknown',
          level: lic.unknown.value,
          message: `${c.purl}: unknown licence: ${v.reason}`,
          purl: c.purl,
          source: lic.unknown.source,
        });
      }
    }
    for (const e of lic.exceptions) {
      if (usedExceptions.has(e)) continue;
      warns.push({ rule: e.rule, level: 'warn', message: `licence exception for ${e.package} matches no component (stale? remove it)`, purl: e.package, source: e.source });
    }
  }

  return { failed: fails.length > 0, violations: [...fails, ...warns], suppress };
}

function failReasons(policy: Policy, failOn: ScanReport['failOn'], f: ReportFinding): { rule: string; why: string; source: string }[] {
  const rating = f.severity.rating;
  if (!policy.fail) {
    const hit = failOn === 'any' || (failOn !== 'none' && atLeast(rating, failOn));
    return hit ? [{ rule: '--fail-on', why: `severity ${rating}${failOn === 'any' ? '' : ` meets --fail-on ${failOn.toLowerCase()}`}`, source: '--fail-on' }] : [];
  }
  const rules = policy.fail;
  if (rules.scopes && !rules.scopes.value.includes(f.scope as Scope)) return [];
  const out: { rule: string; why: string; source: string }[] = [];
  if (rules.kev?.value && f.kev) out.push({ rule: 'fail.kev', why: `in CISA KEV (${f.kev.cve}, added ${f.kev.dateAdded})`, source: rules.kev.source });
  if (rules.epss && f.epss && f.epss.score >= rules.epss.value) {
    out.push({ rule: 'fail.epss', why: `EPSS ${f.epss.score} >= ${rules.epss.value}`, source: rules.epss.source });
  }
  if (rules.epssPercentile && f.epss && f.epss.percentile >= rules.epssPercentile.value) {
    out.push({ rule: 'fail.epssPercentile', why: `EPSS percentile ${f.epss.percentile} >= ${rules.epssPercentile.value}`, source: rules.epssPercentile.source });
  }
  const sev = rules.severity?.value;
  if (sev && sev !== 'none' && (sev === 'any' || atLeast(rating, sev))) {
    out.push({
      rule: 'fail.severity',
      why: sev === 'any' ? `severity ${rating}` : rating === 'UNKNOWN' ? `severity UNKNOWN (counts as failing)` : `severity ${rating} >= ${sev.toLowerCase()}`,
      source: rules.severity!.source,
    });
  }
  return out;
}

/**
 * A policy with a `fail` section replaces --fail-on; an explicit --fail-on beside it would be
 * ignored silently, so it is a USAGE error. `failOnGiven`: the user typed --fail-on (commander:
 * `cmd.getOptionValueSource('failOn') === 'cli'`).
 */
export function checkFailOnConflict(policy: Policy, failOnGiven: boolean): void {
  if (failOnGiven && policy.fail) {
    throw new VouchError('USAGE', `--fail-on cannot be combined with the fail section of ${policy.fail.source}; the policy decides which findings fail (remove one of them)`);
  }
}
