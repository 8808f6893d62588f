/**
 * pip requirements files (`requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt` ...).
 *
 * Lines are read the way pip reads them: a line ending in `\` continues on the next one (unless it is
 * a comment line), then comments (`#` at the start or after whitespace) are stripped. The 1-based
 * line of a requirement is the first physical line of its logical line.
 *
 * - `name==1.0` / `name===1.0` (with extras `name[x]`, markers `; python_version < "3.8"` and
 *   per-requirement options such as `--hash=sha256:…`) is a component; its hashes are kept, and
 *   requirements carrying a marker are kept and listed in one warning with their markers.
 * - Anything else that names a package goes to `unresolved` with its spec and line, never guessed:
 *   ranges (`>=`, `~=`, `!=`, wildcards `==1.*`), bare names, direct URLs (`name @ https://…`,
 *   archive paths, `git+…`), editables (`-e`), and versions that are not versions (`==${VAR}`).
 *   Exception: a bare or ranged requirement that a constraints file (`-c`) pins with `==` becomes a
 *   component at the pinned version (pip installs exactly that), located at the requirement line.
 * - `-r file` / `--requirement file` are read from disk relative to the including file, `-c file` /
 *   `--constraint file` likewise (constraints only pin, they add no package). Includes are
 *   cycle-safe; a missing include is a warning. Inside an archive no include is followed.
 * - Scope: `prod`, or `dev` when the file's name says so (`requirements-dev.txt`, `test-requirements.txt`,
 *   `requirements/lint.txt` ...); each included file by its own name. Every requirement is direct.
 */
import { readBeside } from '../../io/input.js';
import path from 'node:path';
import { valid as pep440Valid } from '@renovatebot/pep440';
import type { Hash, Scope } from '../../model/component.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { baseName, normalizeName, parseHash, PyContext } from './common.js';

const ID = 'pypi/requirements';

export const requirementsExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['requirements.txt'],

  /** A `.txt` file whose name contains `requirements` (osv-scanner's should-extract vectors). */
  wants(p: string): boolean {
    const b = baseName(p);
    return b.endsWith('.txt') && b.includes('requirements');
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeText(await input.read(), input.path);
    const readInclude = input.path.includes('!') ? undefined : diskReader(input);
    return parseRequirements(text, input.path, readInclude);
  },
};

/** Reads an included file; undefined when it does not exist or cannot be read. */
export type IncludeReader = (file: string) => Promise<string | undefined>;

/**
 * Includes read inside the input's root; absent → undefined. A FIFO, a device, a link out of the
 * root or a file too large is that one line, and the requirements file fails with it.
 */
function diskReader(input: InputFile): IncludeReader {
  return async (file) => {
    const buf = await readBeside(input, file);
    return buf === undefined ? undefined : decodeText(buf, file);
  };
}

interface Requirement {
  file: string;
  line: number;
  name: string;
  /** the version specifier as written (without extras and marker) */
  spec: string;
  version: string | undefined;
  /** why it is unresolved, when it is */
  reason: string | undefined;
  marker: string | undefined;
  hashes: Hash[];
  scope: Scope;
}

const DEV_NAME = /(?:^|[-_.\s/])(?:dev|develop|development|test|tests|testing|lint|linting|docs?|ci|typing|mypy)(?:[-_.\s]|$)/i;

function scopeOfFile(file: string): Scope {
  const b = baseName(file).replace(/\.txt$/, '');
  const parent = baseName(path.dirname(file));
  return DEV_NAME.test(b) || (parent === 'requirements' && DEV_NAME.test(`${b}.`)) ? 'dev' : 'prod';
}

/** Parse a requirements file and the files it includes (`readInclude` undefined: includes are not followed). */
export async function parseRequirements(text: string, file: string, readInclude?: IncludeReader): Promise<Inventory> {
  const ctx = new PyContext(file, ID);
  const reqs: Requirement[] = [];
  const pins = new Map<string, { version: string; file: string; line: number }>();
  const seen = new Set<string>([path.resolve(file)]);

  const visit = async (body: string, current: string, constraint: boolean): Promise<void> => {
    for (const logical of logicalLines(body)) {
      const t = logical.text;
      if (t.startsWith('-')) {
        const opt = parseOption(t);
        if (opt.kind === 'include' || opt.kind === 'constraint') {
          if (!opt.value) {
            ctx.warnings.push(`${current}:${logical.line}: ${t}: no file named; ignored`);
            continue;
          }
          const target = path.join(path.dirname(current), opt.value);
          if (/^[a-z][a-z0-9+.-]*:\/\//i.test(opt.value)) {
            ctx.warnings.push(`${current}:${logical.line}: ${opt.value}: remote requirement files are not fetched`);
            continue;
          }
          if (!readInclude) {
            ctx.warnings.push(`${current}:${logical.line}: ${t}: includes are not followed here; ignored`);
            continue;
          }
          const key = path.resolve(target);
          if (seen.has(key)) continue; // already read (or a cycle)
          seen.add(key);
          const included = await readInclude(target);
          if (included === undefined) {
            ctx.warnings.push(`${current}:${logical.line}: included file ${target} not found; skipped`);
            continue;
          }
          await visit(included, target, constraint || opt.kind === 'constraint');
        } else if (opt.kind === 'editable') {
          if (!constraint) {
            const name = eggName(opt.value) ?? opt.value;
            ctx.unresolvedEntry(name, 'editable install (-e): built from source, no registry version', opt.value, logical.line);
          }
        } else if (opt.kind === 'unknown') {
          ctx.warnings.push(`${current}:${logical.line}: unknown option ${t.split(/\s/)[0]}; line ignored`);
        }
        continue;
      }
      const r = parseRequirementLine(t, current, logical.line, constraint ? 'prod' : scopeOfFile(current), ctx.warnings, ctx.lost);
      if (!r) continue;
      if (constraint) {
        if (r.version !== undefined) pins.set(normalizeName(r.name), { version: r.version, file: current, line: logical.line });
      } else reqs.push(r);
    }
  };
  await visit(text, file, false);

  const markers: string[] = [];
  for (const r of reqs) {
    let version = r.version;
    if (version === undefined && r.reason?.startsWith('unpinned')) {
      const pin = pins.get(normalizeName(r.name));
      if (pin) {
        version = pin.version;
        ctx.warnings.push(`${r.file}:${r.line}: ${r.name}: version ${pin.version} from the constraint at ${pin.file}:${pin.line}`);
      }
    }
    if (version === undefined) {
      ctx.unresolvedEntry(r.name, r.reason ?? 'no version', r.spec, r.line);
      continue;
    }
    const purl = ctx.add({ name: r.name, version, scope: r.scope, line: r.line, path: r.file, hashes: r.hashes });
    if (purl) ctx.link(ctx.rootId, purl);
    if (r.marker) markers.push(`${r.file}:${r.line} ${r.name} (${r.marker})`);
  }
  if (markers.length) ctx.warnings.push(`kept requirements that apply only under environment markers: ${markers.join('; ')}`);
  return ctx.inventory();
}

interface Logical {
  line: number;
  text: string;
}

/** pip's join_lines + ignore_comments, in one pass. */
/**
 * The line without its comment: from the first `#` at the start or after a blank (pip's rule). A
 * loop, not `/(^|\s+)#.*$/`, which retries its `\s+` from every blank of a long run: quadratic time
 * on a line of 100 kB of spaces (the hostile requirements.txt of issue 12).
 */
function withoutComment(s: string): string {
  for (let i = s.indexOf('#'); i >= 0; i = s.indexOf('#', i + 1)) {
    if (i === 0 || /\s/.test(s[i - 1]!)) return s.slice(0, i);
  }
  return s;
}

/** Every backslash at either end removed (`/^\\+|\\+$/g` retries from each backslash of a run). */
function trimBackslashes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 92) a++;
  while (b > a && s.charCodeAt(b - 1) === 92) b--;
  return s.slice(a, b);
}

export function logicalLines(text: string): Logical[] {
  const out: Logical[] = [];
  const physical = text.split(/\r?\n/);
  let acc: string[] | undefined;
  let first = 0;
  const flush = (): void => {
    if (!acc) return;
    const joined = withoutComment(acc.join('')).trim();
    if (joined) out.push({ line: first, text: joined });
    acc = undefined;
  };
  for (let i = 0; i < physical.length; i++) {
    const l = physical[i]!;
    const isComment = /^\s*#/.test(l);
    if (!acc) first = i + 1;
    if (isComment || !l.endsWith('\\')) {
      if (acc) {
        // a comment line ends a continuation (pip treats it as its own, ignored line)
        if (isComment) {
          flush();
          continue;
        }
        acc.push(l);
        flush();
      } else {
        acc = [l];
        flush();
      }
    } else {
      // pip strips every backslash at either end of a continued line (`4.5\\` + `.6` reads `4.5.6`)
      (acc ??= []).push(trimBackslashes(l));
    }
  }
  flush();
  return out;
}

type Option =
  | { kind: 'include' | 'constraint' | 'editable'; value: string }
  | { kind: 'ignored' | 'unknown'; value: string };

const IGNORED_OPTIONS = new Set([
  '-i', '--index-url', '--extra-index-url', '--no-index', '-f', '--find-links', '--no-binary', '--only-binary',
  '--prefer-binary', '--require-hashes', '--pre', '--trusted-host', '--use-feature', '-Z',
  '--always-unzip', '--config-settings', '-C', '--global-option', '--install-option', '--hash',
]);

function parseOption(t: string): Option {
  const m = /^(--?[A-Za-z][\w-]*)(?:(?:=|\s+)(.*))?$/.exec(t) ?? /^(-[A-Za-z])(.*)$/.exec(t);
  let flag = m?.[1] ?? t;
  let value = (m?.[2] ?? '').trim();
  // short options glued to their value: -rfile.txt
  if (/^-[rce][^\s-]/.test(t) && !/^-[rce]\s/.test(t)) {
    flag = t.slice(0, 2);
    value = t.slice(2).trim();
  }
  if (flag === '-r' || flag === '--requirement') return { kind: 'include', value };
  if (flag === '-c' || flag === '--constraint') return { kind: 'constraint', value };
  if (flag === '-e' || flag === '--editable') return { kind: 'editable', value };
  if (IGNORED_OPTIONS.has(flag)) return { kind: 'ignored', value };
  return { kind: 'unknown', value };
}

function eggName(url: string): string | undefined {
  return /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(url)?.[1];
}

const NAME_RE = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/s;
const CLAUSE_RE = /^(===|==|~=|!=|<=|>=|<|>)\s*(\S+)$/;

/** One requirement line (options already known not to start it); undefined when it names no package. */
function parseRequirementLine(
  t: string,
  file: string,
  line: number,
  scope: Scope,
  warnings: string[],
  lost: string[],
): Requirement | undefined {
  // per-requirement options start at the first whitespace-separated token beginning with '-'
  let req = t;
  const hashes: Hash[] = [];
  const optAt = /\s-{1,2}[A-Za-z]/.exec(t);
  if (optAt) {
    req = t.slice(0, optAt.index).trim();
    const tokens = t.slice(optAt.index).trim().split(/\s+/);
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i]!;
      if (!tok.startsWith('-')) {
        warnings.push(`${file}:${line}: unexpected text "${tok}" after the options; ignored`);
        continue;
      }
      const eq = tok.indexOf('=');
      const flag = eq >= 0 ? tok.slice(0, eq) : tok;
      let value = eq >= 0 ? tok.slice(eq + 1) : undefined;
      if (value === undefined && i + 1 < tokens.length && !tokens[i + 1]!.startsWith('-')) value = tokens[++i];
      if (flag === '--hash' && value) {
        const h = parseHash(value);
        if (h) {
          if (!hashes.some((x) => x.alg === h.alg && x.value === h.value)) hashes.push(h);
        } else warnings.push(`${file}:${line}: --hash=${value} is not <alg>:<hex>; not kept`);
      }
    }
  }
  const base: Omit<Requirement, 'name' | 'spec' | 'version' | 'reason'> = { file, line, marker: undefined, hashes, scope };

  // direct references: URLs, local paths, VCS
  // one `\s*` on each side of the optional extras: two in a row would backtrack quadratically on a run of blanks
  const at = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\]\s*)?@\s*(\S.*)$/.exec(req);
  if (at) {
    const url = at[2]!.split(';')[0]!.trimEnd();
    return { ...base, name: at[1]!, spec: `@ ${url}`, version: undefined, reason: 'direct URL reference: no registry version' };
  }
  if (/^(?:[a-z][a-z0-9+.-]*:\/\/|[a-z]+\+|\.{0,2}[/\\]|[A-Za-z]:[/\\])/i.test(req) || /\.(?:whl|tar\.gz|zip|tar\.bz2|tgz)$/i.test(req)) {
    const name = eggName(req) ?? req;
    return { ...base, name, spec: req, version: undefined, reason: 'direct URL or local path: no registry version' };
  }

  let marker: string | undefined;
  const semi = req.indexOf(';');
  if (semi >= 0) {
    marker = req.slice(semi + 1).trim() || undefined;
    req = req.slice(0, semi).trim();
  }
  const m = NAME_RE.exec(req);
  if (!m) {
    // pip refuses the whole file here; vouch reads the rest, and says the file was read only in part
    lost.push(`${file}:${line}: "${t}" is not a requirement; not read`);
    return undefined;
  }
  const name = m[1]!;
  let spec = m[3]!.trim();
  if (spec.startsWith('(') && spec.endsWith(')')) spec = spec.slice(1, -1).trim();
  const r: Requirement = { ...base, marker, name, spec, version: undefined, reason: undefined };
  if (!spec) {
    r.reason = 'unpinned: no version specifier';
    return r;
  }
  const clauses = spec.split(',').map((c) => c.trim());
  let invalid: string | undefined;
  let exact: string | undefined;
  for (const c of clauses) {
    const cm = CLAUSE_RE.exec(c);
    if (!cm) {
      invalid = c;
      break;
    }
    const [, op, v] = cm;
    if (op === '===' && !v!.includes('$')) exact = v;
    else if (op === '==' && !v!.includes('*')) {
      if (pep440Valid(v!) === null) {
        invalid = c;
        break;
      }
      exact = v;
    }
  }
  if (invalid !== undefined) {
    r.reason = `not a valid version specifier: "${invalid || spec}"`;
    return r;
  }
  if (exact === undefined) {
    r.reason = `unpinned: ${spec}`;
    return r;
  }
  r.version = exact;
  return r;
}
