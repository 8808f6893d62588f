import { readFileSync } from 'node:fs';

// Set by the build (scripts/build.mjs) from package.json; absent when the sources run directly (tests).
declare const __VOUCH_VERSION__: string | undefined;

/** vouch's own version, from package.json (one source of truth). */
export const VERSION: string =
  typeof __VOUCH_VERSION__ === 'string'
    ? __VOUCH_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
