/** `vouch fix PATH --plan | --apply`: fix plans with the smallest change, applied safely. */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { AdvisoryStore } from '../advisories/store.js';
import { EXIT_CLEAN, EXIT_FINDINGS, VouchError } from '../model/errors.js';
import { DirectoryMetadataSource, registryMetadataSource } from '../remediate/metadata.js';
import { applyTarget, planTarget, resolveTarget } from '../remediate/index.js';
import { applyNpm } from '../remediate/npm/apply.js';
import type { MaxBump } from '../remediate/npm/plan.js';
import { renderPlanTable } from '../remediate/render.js';
import type { Strategy } from '../remediate/types.js';
import { createProgress } from './progress.js';

interface FixOptions {
  plan?: boolean;
  apply?: boolean;
  json?: boolean;
  diff?: boolean;
  strategy: string;
  maxBump: MaxBump;
  packuments?: string;
  containment?: string;
  home?: string;
  quiet?: boolean;
}

export function registerFix(program: Command): void {
  program
    .command('fix')
    .description('plan (and apply) the smallest dependency changes that remove known vulnerabilities')
    .argument('[path]', 'a project folder or file: package.json + package-lock.json, pnpm-lock.yaml or yarn.lock (classic), requirements.txt, go.mod, pom.xml, pyproject.toml + poetry.lock/uv.lock, Cargo.toml + Cargo.lock, Gemfile + Gemfile.lock, composer.json + composer.lock', '.')
    .option('--plan', 'show the plan without changing anything (the default)')
    .option('--apply', 'apply the plan: npm/yarn/pnpm: edit package.json, relock with the manager\'s CLI (no scripts, node_modules untouched), rescan, restore both files on any failure; requirements.txt/go.mod/pom.xml: write the edits and rescan; pyproject.toml/Cargo.toml/Gemfile/composer.json: write the manifest only and print the relock command to run')
    .option('--json', 'the plan (or the apply result) as JSON on stdout (see docs/fix.md)')
    .option('--diff', 'also show the edits as a unified diff (the text manifests: requirements.txt, go.mod, pom.xml, pyproject.toml, Cargo.toml, Gemfile, composer.json)')
    .addOption(new Option('--strategy <s>', 'strategies allowed: in-range (relock only), parent (raise a declared dependency), override (force a version), all').choices(['in-range', 'parent', 'override', 'all']).default('all'))
    .addOption(new Option('--max-bump <b>', 'largest semver change a bump may make').choices(['patch', 'minor', 'major']).default('major'))
    .option('--packuments <dir>', 'read package metadata from recorded packuments (<dir>/<name>.json) instead of the registry')
    .option('--containment <file>', 'containment playbook (default: vouch.containment.yaml in the project folder or the current folder)')
    .option('--home <dir>', 'the store folder (default: $VOUCH_HOME, else the XDG cache folder)')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .addHelpText(
      'after',
      `
Strategies, cheapest first: in-range (every declared range already admits a safe version: relock),
parent (raise a dependency package.json declares: the vulnerable one, or the smallest release of
the direct dependency whose ranges reach a safe version), override (npm "overrides": forces a
version its parent did not declare; flagged: npm "overrides", yarn "resolutions", pnpm
"pnpm.overrides"). --apply relocks with npm, yarn 1 or pnpm: $VOUCH_NPM / $VOUCH_YARN /
$VOUCH_PNPM, else the one on PATH (corepack shims count). npm metadata comes from the registry
your npm configuration names (.npmrc, environment; cached under $VOUCH_HOME/cache/npm); the other
ecosystems are planned from the advisories' fixed versions alone. For Poetry, uv, Cargo, Bundler
and Composer vouch edits the manifest and prints the relock command (poetry, uv, cargo, bundle,
composer are never run), so their lockfile, and a rescan, change only after you run it. A vouch.containment.yaml playbook adds mitigation steps (see docs/fix.md).

Exit codes: 0 nothing vulnerable (left); 1 vulnerabilities found (--plan) or left after --apply;
2 usage or input error, or --apply failed (the project is restored).`,
    )
    .action(async (p: string, opts: FixOptions) => {
      process.exitCode = await runFix(p, opts);
    });
}

function strategiesOf(s: string): Set<Strategy> {
  return s === 'all' ? new Set<Strategy>(['in-range', 'parent', 'override']) : new Set<Strategy>([s as Strategy]);
}

async function runFix(p: string, opts: FixOptions): Promise<number> {
  if (opts.plan && opts.apply) throw new VouchError('USAGE', '--plan and --apply exclude each other');
  const progress = createProgress({ quiet: opts.quiet ?? false });
  const target = resolveTarget(p);
  const metadata = opts.packuments ? new DirectoryMetadataSource(opts.packuments) : registryMetadataSource({ projectDir: 'dir' in target ? target.dir : path.dirname(target.file), home: opts.home ?? AdvisoryStore.defaultHome() });
  const store = AdvisoryStore.open(opts.home);
  const planOpts = { metadata, strategies: strategiesOf(opts.strategy), maxBump: opts.maxBump, ...(opts.containment ? { containment: opts.containment } : {}) };
  try {
    if (!opts.apply) {
      progress.phase('planning');
      const plan = await planTarget(target, store, planOpts);
      progress.done();
      process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanTable(plan, { diff: opts.diff ?? false }));
      return plan.findings > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    }
    const ac = new AbortController();
    const onSigint = (): void => ac.abort();
    process.on('SIGINT', onSigint);
    try {
      progress.phase('applying');
      const applyOpts = { ...planOpts, signal: ac.signal };
      // yarn classic and pnpm relock through their own CLI, on the npm code path
      const r = 'dir' in target && target.kind !== 'npm' ? await applyNpm(target.dir, store, metadata, { ...applyOpts, manager: target.kind }) : await applyTarget(target, store, applyOpts);
      progress.done();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ plan: r.plan, applied: r.applied.length, before: r.before, after: r.after }, null, 2)}\n`);
      } else {
        const out = [renderPlanTable(r.plan).trimEnd(), ''];
        out.push(r.applied.length ? `applied ${r.applied.length} step(s): ${r.before.length} → ${r.after.length} finding(s)` : 'nothing applied');
        const fixed = r.before.filter((x) => !r.after.includes(x));
        for (const f of fixed) out.push(`  fixed    ${f}`);
        for (const f of r.after) out.push(`  remains  ${f}`);
        process.stdout.write(`${out.join('\n')}\n`);
      }
      return r.after.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    } finally {
      process.off('SIGINT', onSigint);
    }
  } finally {
    store.close();
  }
}
