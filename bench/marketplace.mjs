#!/usr/bin/env node
// vouch marketplace match at scale: 500 volunteers × 5,000 needs (target: under 5 s, whole process).
// The instance is synthetic and seeded (the same every run): needs spread over 1,000 projects in
// eight ecosystems with the areas, effort classes and priority spread of real needs (most S and M,
// a tail of L; priorities log-normal); volunteers with 1–3 languages, 1–4 areas and 2–30 hours a
// month, planned over a quarter. Run with `npm run bench:marketplace` (after `npm run build`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceSection } from './results.mjs';
import { seededRandom } from './portfolio-lib.mjs';


const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const work = path.join(here, '.work', 'marketplace');
mkdirSync(work, { recursive: true });
if (!existsSync(path.join(root, 'dist', 'vouch.mjs'))) {
  console.error('bench: dist/ is missing; run `npm run build` first.');
  process.exit(2);
}

const VOLUNTEERS = Number(process.env.BENCH_VOLUNTEERS ?? 500);
const NEEDS = Number(process.env.BENCH_NEEDS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const rnd = seededRandom(20261207);
/** An index skewed towards the start of a list of n (popular first). */
const skewed = (n) => Math.floor(Math.pow(rnd(), 1.6) * n);
const pickSome = (list, k) => {
  const s = new Set();
  while (s.size < Math.min(k, list.length)) s.add(list[skewed(list.length)]);
  return [...s];
};

const ECOSYSTEMS = [
  ['npm', ['JavaScript', 'TypeScript']],
  ['PyPI', ['Python']],
  ['Go', ['Go']],
  ['Maven', ['Java', 'Kotlin']],
  ['crates.io', ['Rust']],
  ['RubyGems', ['Ruby']],
  ['NuGet', ['C#']],
  ['Packagist', ['PHP']],
];
const LANGUAGES = [...new Set(ECOSYSTEMS.flatMap(([, l]) => l))];
// kind of need: areas, whether it needs the project's languages, effort, share of needs
const KINDS = [
  [['security-policy'], false, 'S', 0.14],
  [['ci-security'], false, 'S', 0.22],
  [['release-engineering'], false, 'M', 0.1],
  [['fuzzing'], true, 'L', 0.1],
  [['maintenance'], true, 'L', 0.08],
  [['maintenance', 'code-review'], true, 'L', 0.06],
  [['vulnerability-fixing'], true, 'M', 0.2],
  [['backporting', 'release-engineering'], true, 'M', 0.1],
];
const HOURS = { S: 8, M: 40, L: 80 };
const DOMAINS = ['parsers', 'cryptography', 'compression', 'networking', 'serialization', 'authentication'];

const needs = [];
for (let i = 0; i < NEEDS; i++) {
  const project = skewed(1000);
  const [eco, langs] = ECOSYSTEMS[project % ECOSYSTEMS.length];
  let r = rnd();
  const kind = KINDS.find((k) => (r -= k[3]) < 0) ?? KINDS[0];
  const [areas, code, effort] = kind;
  const domains = code && rnd() < 0.4 ? [DOMAINS[skewed(DOMAINS.length)]] : [];
  // log-normal priority: reliance × criticality × gap weight spans two orders of magnitude
  const priority = Math.round(Math.exp(rnd() * 2 + rnd() * 2 - 1.5) * 1000) / 1000;
  needs.push({
    id: `${eco}/project-${project}#need-${i}`,
    kind: 'health',
    project: { ecosystem: eco, name: `project-${project}` },
    title: `need ${i}`,
    task: 'synthetic',
    reason: 'synthetic',
    evidence: [],
    skills: { languages: code ? langs : [], ecosystems: [eco], areas, domains },
    effort,
    hours: HOURS[effort],
    priority,
    score: { reliance: priority, criticality: 1, criticalitySource: 'clone', gapWeight: 1, gap: 'synthetic' },
  });
}
const AREAS = ['vulnerability-fixing', 'backporting', 'ci-security', 'fuzzing', 'release-engineering', 'security-policy', 'maintenance', 'code-review', 'testing', 'build', 'documentation'];
const volunteers = [];
for (let i = 0; i < VOLUNTEERS; i++) {
  const languages = pickSome(LANGUAGES, 1 + Math.floor(rnd() * 3));
  const ecosystems = ECOSYSTEMS.filter(([, l]) => l.some((x) => languages.includes(x))).map(([e]) => e);
  volunteers.push(
    [
      `  - name: volunteer-${i}`,
      `    company: company-${i % 40}`,
      `    languages: [${languages.join(', ')}]`,
      `    ecosystems: [${ecosystems.join(', ')}]`,
      `    skills: [${pickSome(AREAS, 1 + Math.floor(rnd() * 4)).join(', ')}]`,
      `    domains: [${rnd() < 0.3 ? DOMAINS[skewed(DOMAINS.length)] : ''}]`,
      `    hours_per_month: ${2 + Math.floor(rnd() * 29)}`,
    ].join('\n'),
  );
}
const needsFile = path.join(work, 'needs.json');
const volFile = path.join(work, 'volunteers.yaml');
writeFileSync(needsFile, JSON.stringify({ schema: 'vouch-marketplace-needs/1', generated: '2026-12-07T00:00:00.000Z', needs, projects: [], warnings: [] }));
writeFileSync(volFile, `volunteers:\n${volunteers.join('\n')}\n`);

const out = path.join(work, 'match.json');
const times = [];
const cpus = [];
const load = os.loadavg()[0];
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(here, 'measure.mjs'), 'marketplace', 'match', '--needs', needsFile, '--volunteers', volFile, '-f', 'json', '-o', out, '-q'], { encoding: 'utf8' });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  cpus.push(Number(/BENCH_CPU_MS=(\d+)/.exec(r.stderr)?.[1] ?? NaN));
  if (r.status !== 0) {
    console.error(`bench: vouch marketplace match exited ${r.status}: ${r.stderr}`);
    process.exit(1);
  }
}
const result = JSON.parse(readFileSync(out, 'utf8'));
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const median = med(times);
const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
const lines = [
  `machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`,
  `date: ${new Date().toISOString()}`,
  '',
  `vouch marketplace match, ${VOLUNTEERS} volunteers × ${NEEDS} needs (3 months), whole process, median of ${RUNS}: ${(median / 1000).toFixed(2)} s wall, ${(med(cpus) / 1000).toFixed(2)} s CPU  (target < 5 s; runs: ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s; load average ${load.toFixed(2)} on ${os.cpus().length} cores when it started)`,
  `    ${result.solver.arcs} volunteer–need pairs that fit; ${result.solver.rounds} LP rounds, ${result.solver.columns} columns in the last LP; ${result.assignments.length} needs matched, objective ${result.objective}`,
];
for (const l of lines) console.log(l);
replaceSection('## Marketplace matching', ['## Marketplace matching', '', '```', ...lines, '```'].join('\n'));
