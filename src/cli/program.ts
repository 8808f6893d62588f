/**
 * The program around a set of commands: commander's set-up, the dispatch, and the mapping of
 * VouchError codes to exit codes and one-line messages; nothing below the CLI prints. `main.ts`
 * gives it every command; the build also bundles the hot commands (scan, sbom) each with itself
 * alone (scripts/build.mjs), so that starting one loads none of the others' code.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_INPUT, EXIT_INTERNAL, isVouchError } from '../model/errors.js';
import { safeLine } from '../model/text.js';
import { VERSION } from '../version.js';
import { stdio, whenStdoutBuilt } from './stdio.js';

export type Register = (program: Command) => void;
export type Commands = Record<string, () => Promise<Register>>;

/** Commands with an option `--version` of their own. */
const OWN_VERSION_OPTION = new Set(['push']);

/**
 * The program with the command named in `argv` registered (all of `commands` for `--help`, `help`
 * or anything unknown, so commander lists them or says what is wrong).
 */
export async function buildProgramOf(argv: readonly string[], commands: Commands): Promise<Command> {
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
      writeOut: (s) => stdio.out(s),
      writeErr: (s) => stdio.err(s),
      // usage errors as one line, like every other error: "vouch: unknown option '--x' (see --help)"
      outputError: (s, write) => write(`vouch: ${safeLine(s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' '))} (see --help)\n`),
    });
  // --version needs no command; a known name needs only its own; --help and the rest need all
  const only =
    name === '-V' || name === '--version' ? [] : name !== undefined && Object.hasOwn(commands, name) ? [commands[name]!] : Object.values(commands);
  for (const register of await Promise.all(only.map((load) => load()))) register(program);
  return program;
}

export async function runProgram(argv: string[], commands: Commands): Promise<void> {
  // `vouch scan . | head`: a reader that stops early is not an error (cli/stdio.ts says the same
  // for what it writes; the handler waits for the stream, which scan and sbom never build)
  whenStdoutBuilt((stdout) =>
    stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    }),
  );
  const program = await buildProgramOf(argv, commands);
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
    stdio.err(`vouch: ${err.oneLine()}\n`);
    if (debug && err.cause) stdio.err(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return EXIT_INPUT;
  }
  // anything else is a bug of vouch's (a TypeError, a ReferenceError …), never the input's: one line, the stack on request
  const e = err instanceof Error ? err : new Error(String(err));
  stdio.err(`vouch: internal error: ${safeLine(`${e.name}: ${e.message.replace(/\s*\n\s*/g, ' ')}`)}${debug ? '' : ' (VOUCH_DEBUG=1 or --debug shows the stack)'}\n`);
  if (debug && e.stack) stdio.err(`${e.stack}\n`);
  return EXIT_INTERNAL;
}
