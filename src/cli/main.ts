/**
 * The CLI entry: wires one file per command (the program around them is program.ts).
 */
import type { Command } from 'commander';
import { buildProgramOf, type Commands, runProgram } from './program.js';

/**
 * Every command, loaded on demand: `vouch sbom` never loads the signing libraries, `vouch scan`
 * never loads the HTML report. The build splits each into its own chunk (scripts/build.mjs).
 */
export const COMMANDS: Commands = {
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

/**
 * The program with the command named in `argv` registered (all of them for `--help`, `help` or
 * anything unknown, so commander lists them or says what is wrong).
 */
export function buildProgram(argv: readonly string[] = []): Promise<Command> {
  return buildProgramOf(argv, COMMANDS);
}

export function main(argv: string[]): Promise<void> {
  return runProgram(argv, COMMANDS);
}
