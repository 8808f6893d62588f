/** `vouch fix PATH --plan | --apply`: options → runFix (src/remediate) → a rendering → exit code. */
import { type Command, Option } from 'commander';
import { VouchError } from '../model/errors.js';
import type { MaxBump, Strategy } from '../model/fix.js';
import { fixExitCode, fixableFiles, runFix } from '../remediate/index.js';
import { FIX_FORMATS, type FixFormat, renderFix } from '../remediate/render.js';
import { formatOf, formatOption, offlineOption } from './options.js';
import { createProgress } from './progress.js';

interface FixOptions {
  plan?: boolean;
  apply?: boolean;
  format?: FixFormat;
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
  const cmd = program
    .command('fix')
    .description('plan (and apply) the smallest dependency changes that remove known vulnerabilities')
    .argument('[path]', `a project folder or one of its files: ${fixableFiles()}`, '.')
    .option('--plan', 'show the plan without changing anything (the default)')
    .option('--apply', 'apply the plan: npm/yarn/pnpm: edit package.json, relock with the manager\'s CLI (no scripts, node_modules untouched), rescan, restore both files on any failure; requirements.txt/go.mod/pom.xml: write the edits and rescan; pyproject.toml/Cargo.toml/Gemfile/composer.json: write the manifest only and print the relock command to run')
    .addOption(formatOption(FIX_FORMATS, 'output format: table (default), or json: the plan (or the apply result) as JSON on stdout (see docs/fix.md)'))
    .option('--json', 'the same as --format json')
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
      process.exitCode = await runFixCommand(p, opts);
    });
  offlineOption(cmd, 'never touch the network: npm metadata only from the cache or --packuments, and no relock (it needs the registry)');
}

function strategiesOf(s: string): Set<Strategy> {
  return s === 'all' ? new Set<Strategy>(['in-range', 'parent', 'override']) : new Set<Strategy>([s as Strategy]);
}

async function runFixCommand(p: string, opts: FixOptions): Promise<number> {
  if (opts.plan && opts.apply) throw new VouchError('USAGE', '--plan and --apply exclude each other');
  const format = formatOf(opts, 'table');
  const progress = createProgress({ quiet: opts.quiet ?? false });
  // Ctrl-C, SIGTERM or SIGHUP during an apply stops the relock and restores the project
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  if (opts.apply) for (const s of signals) process.on(s, onSigint);
  try {
    progress.phase(opts.apply ? 'applying' : 'planning');
    const outcome = await runFix({
      path: p,
      apply: opts.apply ?? false,
      strategies: strategiesOf(opts.strategy),
      maxBump: opts.maxBump,
      ...(opts.packuments ? { metadataDir: opts.packuments } : {}),
      ...(opts.containment ? { containment: opts.containment } : {}),
      ...(opts.home ? { home: opts.home } : {}),
      signal: ac.signal,
    });
    progress.done();
    process.stdout.write(renderFix(outcome, format, { diff: opts.diff ?? false }));
    return fixExitCode(outcome);
  } finally {
    for (const s of signals) process.off(s, onSigint);
  }
}
