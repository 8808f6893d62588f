/**
 * `vouch verify-lockfile PATH`: are the installed bytes the bytes that were published? Downloads
 * every registry tarball a lockfile pins and compares it with the lockfile's integrity.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { AdvisoryStore } from '../advisories/store.js';
import { mb, renderIntegrityTable, summaryLine, toJson } from '../attest/integrity-render.js';
import type { IntegrityReport } from '../attest/lockfile-integrity.js';
import { verifyLockfileAt } from '../attest/verify-lockfile.js';
import { type NpmRegistryConfig, redact, secretsOf } from '../ecosystems/npm/registry-config.js';
import { DEFAULT_CONCURRENCY } from '../ecosystems/npm/registry.js';
import { EXIT_CLEAN, EXIT_FINDINGS, VouchError } from '../model/errors.js';
import { formatOf, formatOption, offlineOption } from './options.js';
import { safeLine } from '../model/text.js';

interface VerifyLockfileCliOptions {
  format?: 'table' | 'json';
  json?: boolean;
  registry?: string;
  concurrency: string;
  timeout: string;
  strict?: boolean;
  keepTarballs?: boolean;
  refresh?: boolean;
  home?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** Exit code of an interrupted run (128 + SIGINT), as shells report Ctrl-C. */
const EXIT_INTERRUPTED = 130;

export function registerVerifyLockfile(program: Command): void {
  const cmd = program
    .command('verify-lockfile')
    .description('download every registry tarball a lockfile pins and check it against the lockfile\'s integrity')
    .argument('<path>', 'package-lock.json, npm-shrinkwrap.json, yarn.lock or pnpm-lock.yaml, or the folder holding one')
    .addOption(formatOption(['table', 'json'], 'output format (default: table, also when piped)'))
    .option('--json', 'the same as --format json')
    .option('--registry <url>', 'the default registry (default: npm\'s own config: .npmrc files and npm_config_* variables)')
    .option('--concurrency <n>', 'downloads at once', String(DEFAULT_CONCURRENCY))
    .option('--timeout <seconds>', 'per-request timeout', '60')
    .option('--strict', 'also fail (exit 1) on packages without integrity and on yarn berry checksums that cannot be compared')
    .option('--keep-tarballs', 'keep the downloaded tarballs under $VOUCH_HOME/cache/npm/tarballs/')
    .option('--refresh', 'download again even what the verified cache already holds')
    .option('--home <dir>', 'the cache folder (default: $VOUCH_HOME, else $XDG_CACHE_HOME/vouch, else ~/.cache/vouch)')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .option('-v, --verbose', 'list intact packages too; print the registry configuration (credentials redacted) and every URL fetched on stderr')
    .addHelpText(
      'after',
      `
Statuses: intact, MISMATCH (expected and actual digest, and the URL), no-integrity, not-comparable
(yarn berry checksums are of yarn's zip cache, not of the tarball), not-registry (git, file:,
link:, remote tarball URLs and bundled packages: listed, never fetched), fetch-failed, not-checked
(the run was interrupted).

Registries, scoped registries (@scope:registry), credentials (//host/:_authToken, _auth,
username/_password), proxy, https-proxy, noproxy, cafile and strict-ssl come from npm's own
configuration, read in the lockfile's folder. Credentials are only sent to their own host and
never printed.

Verified digests are remembered in $VOUCH_HOME/cache/npm/verified.sqlite: a digest verified once
is not downloaded again, and a run stopped with Ctrl-C resumes where it stopped.

Exit codes: 0 every registry package intact; 1 a MISMATCH or a failed download (with --strict also
missing integrity or berry checksums); 2 usage or input error; 130 interrupted (what was verified
is kept).`,
    )
    .action(async (p: string, opts: VerifyLockfileCliOptions) => {
      process.exitCode = await runVerifyLockfile(p, opts);
    });
  offlineOption(cmd, 'never touch the network: every download fails with one line (only what the verified cache holds is checked)');
}

async function runVerifyLockfile(input: string, opts: VerifyLockfileCliOptions): Promise<number> {
  const format = formatOf(opts, 'table');
  const concurrency = wholeNumber(opts.concurrency, '--concurrency');
  const timeoutS = wholeNumber(opts.timeout, '--timeout');
  const log = (m: string): void => {
    if (!opts.quiet) process.stderr.write(`${safeLine(m)}\n`);
  };
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  const status = statusLine(!opts.quiet && process.stderr.isTTY === true && !opts.verbose);
  let report: IntegrityReport;
  try {
    report = await verifyLockfileAt({
      input,
      registry: opts.registry,
      concurrency,
      timeoutMs: timeoutS * 1000,
      home: opts.home ? path.resolve(opts.home) : AdvisoryStore.defaultHome(),
      signal: controller.signal,
      ...(opts.keepTarballs ? { keepTarballs: true } : {}),
      ...(opts.refresh ? { refresh: true } : {}),
      ...(opts.verbose ? { onConfig: (config: NpmRegistryConfig) => logConfig(config, log), onRequest: (url: string) => log(`vouch: GET ${url}`) } : {}),
      onProgress: (p) => status.update(p.done, p.total, p.bytes),
    });
  } finally {
    status.clear();
    process.off('SIGINT', onSigint);
  }

  process.stdout.write(format === 'json' ? `${JSON.stringify(toJson(report), null, 2)}\n` : renderIntegrityTable(report, { verbose: opts.verbose ?? false }));
  if (format === 'json') log(`vouch: ${summaryLine(report)}`);
  if (report.interrupted) {
    log(`vouch: interrupted: ${report.counts['not-checked']} package(s) not checked; what was verified is kept, run again to resume`);
    return EXIT_INTERRUPTED;
  }
  const failed = report.counts.mismatch + report.counts['fetch-failed'] + (opts.strict ? report.counts['no-integrity'] + report.counts['not-comparable'] : 0);
  return failed > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

/** --verbose: where npm's configuration came from, registries, which credentials (never their values), proxy, TLS. */
function logConfig(config: NpmRegistryConfig, log: (m: string) => void): void {
  const secrets = secretsOf(config);
  log(`vouch: npm configuration from ${config.source === 'npm' ? '`npm config list`' : 'the .npmrc files'} (credentials from ${config.files.join(', ')})`);
  log(`vouch: registry ${redact(config.registry, secrets)}`);
  for (const [scope, reg] of Object.entries(config.scopes)) log(`vouch: ${scope}:registry ${redact(reg, secrets)}`);
  for (const key of Object.keys(config.auth)) log(`vouch: credential ${key.replace(/:[^:]+$/, '')} (${key.slice(key.lastIndexOf(':') + 1)}, value hidden)`);
  if (config.proxy || config.httpsProxy) log(`vouch: proxy ${redact(config.httpsProxy ?? config.proxy ?? '', secrets)}${config.noProxy ? ` (not for ${config.noProxy})` : ''}`);
  if (!config.strictSSL) log('vouch: strict-ssl is off');
}

function wholeNumber(v: string, name: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1) throw new VouchError('USAGE', `${name} must be a whole number ≥ 1, not "${v}"`);
  return n;
}

/** `verifying 120/300, 4.2 MB, 1.3 MB/s` on a TTY, redrawn at most every 100 ms. */
function statusLine(live: boolean): { update(done: number, total: number, bytes: number): void; clear(): void } {
  const start = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total, bytes) {
      if (!live) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const rate = bytes / Math.max(0.001, (now - start) / 1000);
      process.stderr.write(`\r\x1b[Kverifying ${done}/${total}, ${mb(bytes)}, ${mb(rate)}/s`);
      drawn = true;
    },
    clear() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}
