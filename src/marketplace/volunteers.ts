/**
 * The volunteers file (YAML) the CLI matches from: engineers with their skills, languages,
 * ecosystems, hours per month and interests, and the companies' pledges (hours per quarter).
 * docs/marketplace.md shows the format. The first problem is one VouchError naming the file and
 * line; unknown keys are errors too (a misspelt `hours_per_month` must not silently become 0 hours).
 */
import { VouchError } from '../model/errors.js';
import { AREAS } from './skills.js';
import type { Pledge, Volunteer } from './types.js';
import { parseYamlFile } from './yaml-doc.js';

export interface VolunteersFile {
  volunteers: Volunteer[];
  pledges: Pledge[];
}

const VOLUNTEER_KEYS: readonly string[] = ['name', 'company', 'email', 'languages', 'ecosystems', 'skills', 'domains', 'hours_per_month', 'interests'];
const PLEDGE_KEYS: readonly string[] = ['company', 'quarter', 'hours'];
export const QUARTER = /^(\d{4})Q([1-4])$/;

export function parseVolunteers(text: string, file: string): VolunteersFile {
  const y = parseYamlFile(text, file);
  const fail = (msg: string, at: (string | number)[]): never => {
    const line = y.lineOf(y.nodeAt(at));
    throw new VouchError('INPUT_PARSE', msg, { path: file, ...(line !== undefined ? { position: { line } } : {}) });
  };
  const doc = y.value;
  if (doc === null || doc === undefined) return { volunteers: [], pledges: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) fail('expected a mapping with `volunteers:` (and optionally `pledges:`)', []);
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) if (k !== 'volunteers' && k !== 'pledges') fail(`unknown key "${k}" (expected volunteers, pledges)`, [k]);
  const list = (v: unknown, at: (string | number)[]): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) fail('expected a list', at);
    return v as unknown[];
  };
  const strings = (v: unknown, at: (string | number)[], what: string): string[] => {
    if (v === undefined || v === null) return [];
    const arr = Array.isArray(v) ? v : [v];
    for (const [i, s] of arr.entries()) if (typeof s !== 'string' || s.trim() === '') fail(`${what}: expected names (strings)`, Array.isArray(v) ? [...at, i] : at);
    return (arr as string[]).map((s) => s.trim());
  };
  /** A list item that must be a mapping with only the known keys. */
  const entry = (raw: unknown, at: (string | number)[], keys: readonly string[], what: string): Record<string, unknown> => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${what} must be a mapping (${keys.slice(0, 3).join(':, ')}: ...)`, at);
    const rec = raw as Record<string, unknown>;
    for (const k of Object.keys(rec)) if (!keys.includes(k)) fail(`unknown key "${k}" (expected ${keys.join(', ')})`, [...at, k]);
    return rec;
  };
  const lineOf = (at: (string | number)[]): { line?: number } => {
    const line = y.lineOf(y.nodeAt(at));
    return line !== undefined ? { line } : {};
  };
  const volunteers: Volunteer[] = [];
  const names = new Set<string>();
  list(top['volunteers'], ['volunteers']).forEach((raw, i) => {
    const at: (string | number)[] = ['volunteers', i];
    const v = entry(raw, at, VOLUNTEER_KEYS, 'a volunteer');
    if (typeof v['name'] !== 'string' || v['name'].trim() === '') fail('a volunteer needs a name', at);
    const name = (v['name'] as string).trim();
    if (names.has(name.toLowerCase())) fail(`volunteer "${name}" is listed twice`, [...at, 'name']);
    names.add(name.toLowerCase());
    const hours = v['hours_per_month'] ?? 0;
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0 || hours > 744) fail(`hours_per_month must be a number from 0 to 744 (got ${JSON.stringify(hours)})`, [...at, 'hours_per_month']);
    const skills = strings(v['skills'], [...at, 'skills'], 'skills');
    skills.forEach((s, j) => {
      if (!(AREAS as readonly string[]).includes(s.toLowerCase())) fail(`unknown skill "${s}" (areas: ${AREAS.join(', ')})`, [...at, 'skills', j]);
    });
    for (const k of ['company', 'email']) if (v[k] !== undefined && typeof v[k] !== 'string') fail(`${k} must be a string`, [...at, k]);
    volunteers.push({
      name,
      ...(typeof v['company'] === 'string' ? { company: v['company'] } : {}),
      ...(typeof v['email'] === 'string' ? { email: v['email'] } : {}),
      languages: strings(v['languages'], [...at, 'languages'], 'languages'),
      ecosystems: strings(v['ecosystems'], [...at, 'ecosystems'], 'ecosystems'),
      skills: skills.map((s) => s.toLowerCase()),
      domains: strings(v['domains'], [...at, 'domains'], 'domains'),
      hoursPerMonth: hours as number,
      interests: strings(v['interests'], [...at, 'interests'], 'interests'),
      ...lineOf(at),
    });
  });
  const pledges: Pledge[] = [];
  list(top['pledges'], ['pledges']).forEach((raw, i) => {
    const at: (string | number)[] = ['pledges', i];
    const p = entry(raw, at, PLEDGE_KEYS, 'a pledge');
    if (typeof p['company'] !== 'string' || p['company'].trim() === '') fail('a pledge needs a company', at);
    if (typeof p['quarter'] !== 'string' || !QUARTER.test(p['quarter'])) fail(`quarter must look like 2026Q4 (got ${JSON.stringify(p['quarter'])})`, [...at, 'quarter']);
    if (typeof p['hours'] !== 'number' || !Number.isFinite(p['hours']) || p['hours'] < 0) fail('hours must be a number ≥ 0', [...at, 'hours']);
    pledges.push({ company: (p['company'] as string).trim(), quarter: p['quarter'] as string, hours: p['hours'] as number, ...lineOf(at) });
  });
  return { volunteers, pledges };
}
