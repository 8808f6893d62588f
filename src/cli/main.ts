/**
 * The CLI entry: wires one file per command. Maps VouchError codes to exit codes and one-line
 * messages; nothing below the CLI prints.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_INPUT, isVouchError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { registerDb } from './db.js';
import { registerFix } from './fix.js';
import { registerSbom } from './sbom.js';
import { registerScan } from './scan.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('vouch')
    .description('Open-source supply-chain security: what is inside, what is vulnerable, and what to do about it.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // usage errors as one line, like every other error: "vouch: unknown option '--x' (see --help)"
      outputError: (s, write) => write(`vouch: ${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
    });
  registerScan(program);
  registerDb(program);
  registerSbom(program);
  registerFix(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `vouch scan . | head`: a reader that stops early is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version exit through here with code 0; usage errors were already printed.
    return err.exitCode === 0 ? 0 : EXIT_INPUT;
  }
  if (isVouchError(err)) {
    process.stderr.write(`vouch: ${err.oneLine()}\n`);
    if (process.env['VOUCH_DEBUG'] && err.cause) process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return EXIT_INPUT;
  }
  throw err;
}
