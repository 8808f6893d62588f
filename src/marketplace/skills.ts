/**
 * The skill model: which areas of work exist, which languages an ecosystem's projects are written
 * in, which domains a project's own description names, and how well a volunteer fits a need.
 *
 * fit(volunteer, need) ∈ [0, 1]:
 *   0 unless the volunteer shares at least one of the need's areas and, when the need names
 *   languages, at least one of them; otherwise
 *   0.5 × (shared areas / need's areas)
 *   + 0.2 × (ecosystem shared, or the need names none)
 *   + 0.2 × (domain shared, or the need names none)
 *   + 0.1 × (the volunteer's interests name the project, one of the need's areas or domains)
 */
import type { Need, SkillProfile, Volunteer } from './types.js';

/** Areas of work a need can ask for and a volunteer can offer. */
export const AREAS = [
  'vulnerability-fixing',
  'backporting',
  'ci-security',
  'fuzzing',
  'release-engineering',
  'security-policy',
  'maintenance',
  'code-review',
  'testing',
  'build',
  'documentation',
] as const;

/** Domains read from a project's manifest keywords and description. */
export const DOMAINS: [RegExp, string][] = [
  [/\bpars(e|er|ers|ing)\b|\bgrammar\b|\blexer\b|\btokeni[sz]/i, 'parsers'],
  [/\bcrypt|\bcipher|\bhash(ing)?\b|\bsignatures?\b|\btls\b|\bjwt\b|\bhmac\b|\bencrypt/i, 'cryptography'],
  [/\bcompress|\bzlib\b|\bgzip\b|\bzip\b|\bbrotli\b/i, 'compression'],
  [/\bhttp\b|\bnetwork|\bsocket|\bproxy\b|\bwebsocket/i, 'networking'],
  [/\bserializ|\byaml\b|\bxml\b|\bjson\b|\bmsgpack\b|\bprotobuf/i, 'serialization'],
  [/\bauth(entication|orization)?\b|\boauth\b|\bsession\b|\bpassword/i, 'authentication'],
  [/\bregex|\bregular expression/i, 'regular-expressions'],
];

/** Languages an ecosystem's packages are written in (OSV ecosystem names). */
const LANGUAGES: Record<string, string[]> = {
  npm: ['JavaScript', 'TypeScript'],
  PyPI: ['Python'],
  Go: ['Go'],
  'crates.io': ['Rust'],
  Maven: ['Java', 'Kotlin', 'Scala'],
  RubyGems: ['Ruby'],
  Packagist: ['PHP'],
  NuGet: ['C#', 'F#'],
  Hex: ['Elixir', 'Erlang'],
  Pub: ['Dart'],
};

export function languagesFor(ecosystem: string): string[] {
  return LANGUAGES[ecosystem] ?? [];
}

/** Domains named by a project's keywords and description (package.json, Cargo.toml, pyproject ...). */
export function domainsFrom(text: string): string[] {
  return DOMAINS.filter(([re]) => re.test(text)).map(([, d]) => d);
}

export function profile(p: Partial<SkillProfile>): SkillProfile {
  return { languages: p.languages ?? [], ecosystems: p.ecosystems ?? [], areas: p.areas ?? [], domains: p.domains ?? [] };
}

const norm = (s: string): string => s.trim().toLowerCase();

/** A volunteer with lower-case sets, for scoring many needs. */
export interface PreparedVolunteer {
  v: Volunteer;
  skills: Set<string>;
  languages: Set<string>;
  ecosystems: Set<string>;
  domains: Set<string>;
  interests: Set<string>;
}

/** A need with lower-case lists, for scoring many volunteers. */
export interface PreparedNeed {
  areas: string[];
  languages: string[];
  ecosystems: string[];
  domains: string[];
  /** `npm/lodash` and `lodash`, lower case */
  names: string[];
}

export function prepareVolunteer(v: Volunteer): PreparedVolunteer {
  const set = (xs: readonly string[]): Set<string> => new Set(xs.map(norm));
  return { v, skills: set(v.skills), languages: set(v.languages), ecosystems: set(v.ecosystems), domains: set(v.domains), interests: set(v.interests) };
}

export function prepareNeed(need: Pick<Need, 'skills' | 'project'>): PreparedNeed {
  const s = need.skills;
  return {
    areas: s.areas.map(norm),
    languages: s.languages.map(norm),
    ecosystems: s.ecosystems.map(norm),
    domains: s.domains.map(norm),
    names: [norm(`${need.project.ecosystem}/${need.project.name}`), norm(need.project.name)],
  };
}

/** The fit of the module comment, on prepared sets: 0 when the volunteer shares no area or, when the need names languages, no language. */
export function fitScore(pv: PreparedVolunteer, pn: PreparedNeed): number {
  let areas = 0;
  for (const a of pn.areas) if (pv.skills.has(a)) areas++;
  if (areas === 0) return 0;
  if (pn.languages.length > 0 && !pn.languages.some((l) => pv.languages.has(l))) return 0;
  const ecoOk = pn.ecosystems.length === 0 || pn.ecosystems.some((e) => pv.ecosystems.has(e));
  const domOk = pn.domains.length === 0 || pn.domains.some((d) => pv.domains.has(d));
  const interest = interestOf(pv, pn) !== undefined;
  return Math.round((0.5 * (areas / pn.areas.length) + (ecoOk ? 0.2 : 0) + (domOk ? 0.2 : 0) + (interest ? 0.1 : 0)) * 1000) / 1000;
}

function interestOf(pv: PreparedVolunteer, pn: PreparedNeed): string | undefined {
  return [...pn.names, ...pn.areas, ...pn.domains].find((x) => pv.interests.has(x));
}

export interface FitExplained {
  fit: number;
  /** e.g. "areas ci-security (1/1), ecosystem npm, interest in npm/lodash" */
  why: string;
  /** why the fit is 0, when it is */
  noFit?: string;
}

/** How well a volunteer fits a need (see the module comment), with the reasons. */
export function fit(v: Volunteer, need: Pick<Need, 'skills' | 'project'>): FitExplained {
  const pv = prepareVolunteer(v);
  const pn = prepareNeed(need);
  const value = fitScore(pv, pn);
  const s = need.skills;
  const areas = s.areas.filter((a) => pv.skills.has(norm(a)));
  if (areas.length === 0) return { fit: 0, why: '', noFit: `no shared area (needs ${s.areas.join(', ') || 'none'})` };
  const langs = s.languages.filter((l) => pv.languages.has(norm(l)));
  if (value === 0) return { fit: 0, why: '', noFit: `no shared language (needs ${s.languages.join(' or ')})` };
  const ecos = s.ecosystems.filter((e) => pv.ecosystems.has(norm(e)));
  const doms = s.domains.filter((d) => pv.domains.has(norm(d)));
  const interest = interestOf(pv, pn);
  const why = [
    `areas ${areas.join(', ')} (${areas.length}/${s.areas.length})`,
    ...(langs.length ? [`language ${langs.join(', ')}`] : []),
    s.ecosystems.length === 0 ? 'any ecosystem' : ecos.length ? `ecosystem ${ecos.join(', ')}` : `not ${s.ecosystems.join('/')}`,
    ...(s.domains.length ? [doms.length ? `domain ${doms.join(', ')}` : `no ${s.domains.join('/')} domain`] : []),
    ...(interest ? [`interest in ${interest}`] : []),
  ].join(', ');
  return { fit: value, why };
}
