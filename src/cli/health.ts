/**
 * `vouch health REPO` and `vouch health --portfolio PATH...`: Scorecard-style checks of local
 * clones, offline. `--push` sends one clone's report to the portfolio server (the marketplace's
 * health needs and the re-check that confirms an engagement done: docs/marketplace.md).
 */
import { type Command, Option } from 'commander';
import { EXIT_CLEAN, EXIT_FINDINGS, VouchError } from '../model/errors.js';
import { renderHealthJson, renderHealthSarif, renderHealthTable } from '../health/render.js';
import { checkRepository } from '../health/run.js';
import { renderPortfolioJson, renderPortfolioTable, runPortfolio } from '../health/portfolio.js';
import { parseNow, parseNumber } from './options.js';
import { createProgress } from './progress.js';

interface HealthOptions {
  format?: 'table' | 'json' | 'sarif';
  now?: string;
  failUnder?: string;
  gpgKeyring?: string;
  allowedSigners?: string;
  home?: string;
  portfolio?: boolean;
  repos?: string;
  top?: string;
  quiet?: boolean;
  verbose?: boolean;
  push?: boolean;
  server?: string;
  token?: string;
  package?: string;
}

export function registerHealth(program: Command): void {
  program
    .command('health')
    .description('Scorecard-style health checks of a local git clone (offline), or a ranking of the open source a set of projects leans on')
    .argument('<path...>', 'a local git clone (work tree); with --portfolio: project folders, lockfiles or SBOMs')
    .addOption(new Option('-f, --format <format>', 'output format (default: table, also when piped)').choices(['table', 'json', 'sarif']))
    .option('--now <date>', 'judge the history as of this date (ISO 8601), for reproducible reports')
    .option('--fail-under <score>', 'exit 1 when the aggregate score (0-10) is below this')
    .option('--gpg-keyring <file>', 'verify gpg-signed tags against this keyring (else signatures are reported as "signed, not verified")')
    .option('--allowed-signers <file>', 'verify ssh-signed tags against this allowed_signers file')
    .option('--home <dir>', 'the advisory store folder for the Vulnerabilities check (default: $VOUCH_HOME, else the XDG cache folder)')
    .option('--portfolio', 'rank the packages the given projects depend on, joined with the health of their clones under --repos')
    .option('--repos <dir>', 'with --portfolio: a folder of local clones (one per package, matched by name)')
    .option('--top <n>', 'with --portfolio: rows to show and clones to check', '25')
    .option('--push', 'send the report to the portfolio server (the marketplace\'s needs and re-checks; an uploader, maintainer or admin token)')
    .option('--server <url>', 'with --push: the server (default: $VOUCH_SERVER)')
    .option('--token <token>', 'with --push: the token (default: $VOUCH_TOKEN; prefer the variable: arguments show in ps)')
    .option('--package <ecosystem/name>', 'with --push: the package the clone is (default: the name in its package.json, Cargo.toml or pyproject.toml)')
    .option('-q, --quiet', 'no progress on stderr')
    .option('-v, --verbose', 'show all evidence, not only what lowered a score')
    .addHelpText(
      'after',
      `
Checks (Scorecard names and risk levels): Binary-Artifacts, Code-Review, Contributors,
Dangerous-Workflow, Dependency-Update-Tool, Fuzzing, License, Maintained, Packaging,
Pinned-Dependencies, SAST, Security-Policy, Signed-Releases, Token-Permissions, Vulnerabilities.
A check that cannot run offline, or has nothing to look at, scores "?" (not run) and is left out
of the aggregate. Nothing touches the network but --push; the Vulnerabilities check needs \`vouch db update\`.

With --push the report also goes to the portfolio server (POST /api/v1/health/results): the
marketplace derives health needs from it, and an in-progress engagement on one of the package's
health needs is confirmed done when the pushed report shows the check passing.

Exit codes: 0 report written; 1 the aggregate is below --fail-under; 2 usage or input error
(or the server refused the push).`,
    )
    .action(async (paths: string[], opts: HealthOptions) => {
      process.exitCode = await runHealthCommand(paths, opts);
    });
}



async function runHealthCommand(paths: string[], opts: HealthOptions): Promise<number> {
  const now = parseNow(opts.now);
  const failUnder = parseNumber('--fail-under', opts.failUnder, 0, 10);
  const format = opts.format ?? 'table';
  const progress = createProgress({ quiet: opts.quiet ?? false });
  if (opts.portfolio && opts.push) throw new VouchError('USAGE', '--push sends one repository\'s report; it does not go with --portfolio');
  if (!opts.push && (opts.server || opts.token || opts.package)) throw new VouchError('USAGE', '--server, --token and --package are for --push');
  if (opts.portfolio) {
    if (format === 'sarif') throw new VouchError('USAGE', '--format sarif is for a single repository; use table or json with --portfolio');
    if (failUnder !== undefined) throw new VouchError('USAGE', '--fail-under is for a single repository; --portfolio reports flags without failing');
    const top = parseNumber('--top', opts.top, 1, 100000)!;
    progress.phase('reading projects', paths.length);
    const report = await runPortfolio(paths, { reposDir: opts.repos, now, top: Math.floor(top), home: opts.home, gpgKeyring: opts.gpgKeyring, allowedSigners: opts.allowedSigners, onProject: () => progress.tick() });
    progress.done();
    for (const w of report.warnings) progress.log(`vouch: ${w}`);
    process.stdout.write(format === 'json' ? renderPortfolioJson(report) : renderPortfolioTable(report, Math.floor(top)));
    return EXIT_CLEAN;
  }
  if (opts.repos) throw new VouchError('USAGE', '--repos is only used with --portfolio');
  if (paths.length !== 1) throw new VouchError('USAGE', `vouch health checks one repository at a time (got ${paths.length}); use --portfolio for several projects`);
  progress.phase('checking repository');
  const report = await checkRepository(paths[0]!, { now, home: opts.home, gpgKeyring: opts.gpgKeyring, allowedSigners: opts.allowedSigners });
  progress.done();
  const out = format === 'json' ? renderHealthJson(report) : format === 'sarif' ? renderHealthSarif(report) : renderHealthTable(report, { verbose: opts.verbose ?? false });
  process.stdout.write(out);
  if (opts.push) {
    const { pushHealth } = await import('./health-push.js');
    const r = await pushHealth(paths[0]!, report, { server: opts.server, token: opts.token, package: opts.package, now });
    progress.log(`vouch: pushed the health of ${r.ecosystem}/${r.name} (score ${r.score ?? '?'}) to ${r.server}`);
    for (const d of r.done) progress.log(`vouch: engagement ${d.engagement} done: ${d.detail}`);
    for (const d of r.open) progress.log(`vouch: engagement ${d.engagement} still in progress: ${d.detail}`);
  }
  if (failUnder !== undefined && report.score !== null && report.score < failUnder) {
    progress.log(`vouch: aggregate score ${report.score} is below --fail-under ${failUnder}`);
    return EXIT_FINDINGS;
  }
  return EXIT_CLEAN;
}
