/**
 * The CLI entry: wires one file per command. Maps VouchError codes to exit codes and one-line
 * messages; nothing below the CLI prints.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_INPUT, EXIT_INTERNAL, isVouchError } from '../model/errors.js';
import { safeLine } from '../model/text.js';
import { VERSION } from '../version.js';

type Register = (program: Command) => void;

/**
 * Every command, loaded on demand: `vouch sbom` never loads the signing libraries, `vouch scan`
 * never loads the HTML report. The build splits each into its own chunk (scripts/build.mjs).
 */
export const COMMANDS: Record<string, () => Promise<Register>> = {
  scan: async () => (await import('./scan.js')).registerScan,
  db: async () => (await import('./db.js')).registerDb,
  sbom: async () => (await import('./sbom.js')).registerSbom,
  fix: async () => (await import('./fix.js')).registerFix,
  vex: async () => (await import('./vex.js')).registerVex,
  key: async () => (await import('./key.js')).registerKey,
  attest: async () => (await import('./attest.js')).registerAttest,
  sign: async () => (await import('./sign.js')).registerSign,
  verify: async () => (await import('./verify.js')).registerVerify,
  provenance: async () => (await import('./provenance.js')).registerProvenance,
  'verify-lockfile': async () => (await import('./verify-lockfile.js')).registerVerifyLockfile,
  health: async () => (await import('./health.js')).registerHealth,
  marketplace: async () => (await import('./marketplace.js')).registerMarketplace,
  advisory: async () => (await import('./advisory.js')).registerAdvisory,
  feed: async () => (await import('./feed.js')).registerFeed,
  serve: async () => (await import('./serve.js')).registerServe,
  push: async () => (await import('./push.js')).registerPush,
  query: async () => (await import('./query.js')).registerQuery,
  token: async () => (await import('./token.js')).registerToken,
  incident: async () => (await import('./incident.js')).registerIncident,
};

/** Commands with an option `--version` of their own. */
const OWN_VERSION_OPTION = new Set(['push']);

/**
 * The program with the command named in `argv` registered (all of them for `--help`, `help` or
 * anything unknown, so commander lists them or says what is wrong).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  const name = argv[2];
  program
    .name('vouch')
    .description('Open-source supply-chain security: what is inside, what is vulnerable, and what to do about it.')
    // commander answers the program's --version wherever it appears: a command with an option of
    // that name (`vouch push --version V`, the project version) gets the program's as -V alone
    .version(VERSION, name !== undefined && OWN_VERSION_OPTION.has(name) ? '-V' : '-V, --version')
    .option('--debug', 'print the stack of an internal error (also VOUCH_DEBUG=1)')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // usage errors as one line, like every other error: "vouch: unknown option '--x' (see --help)"
      outputError: (s, write) => write(`vouch: ${safeLine(s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' '))} (see --help)\n`),
    });
  // --version needs no command; a known name needs only its own; --help and the rest need all
  const only =
    name === '-V' || name === '--version' ? [] : name !== undefined && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name]!] : Object.values(COMMANDS);
  for (const register of await Promise.all(only.map((load) => load()))) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `vouch scan . | head`: a reader that stops early is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err, debugging(argv));
  }
}

/** VOUCH_DEBUG set, or --debug anywhere before a `--`. */
function debugging(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return Boolean(process.env['VOUCH_DEBUG']) || (end < 0 ? argv : argv.slice(0, end)).includes('--debug');
}

function exitCodeFor(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // --help and --version exit through here with code 0; usage errors were already printed.
    return err.exitCode === 0 ? 0 : EXIT_INPUT;
  }
  if (isVouchError(err)) {
    process.stderr.write(`vouch: ${err.oneLine()}\n`);
    if (debug && err.cause) process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return EXIT_INPUT;
  }
  // anything else is a bug of vouch's (a TypeError, a ReferenceError …), never the input's: one line, the stack on request
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`vouch: internal error: ${safeLine(`${e.name}: ${e.message.replace(/\s*\n\s*/g, ' ')}`)}${debug ? '' : ' (VOUCH_DEBUG=1 or --debug shows the stack)'}\n`);
  if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
  return EXIT_INTERNAL;
}
