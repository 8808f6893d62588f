/**
 * Parsers loaded on first use. A scan of one package-lock.json should not pay the start-up of a
 * YAML, TOML and XML parser it never calls (each is tens of KiB of module code to compile and
 * initialise), so the readers that need them ask here; the bundler leaves these out of
 * dist/vouch.mjs and Node loads them from node_modules the first time.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type * as Toml from 'smol-toml';
import type * as Xml from 'fast-xml-parser';
import type * as StreamJson from '@streamparser/json';

const load = createRequire(import.meta.url);

let yaml: typeof Yaml | undefined;
let toml: typeof Toml | undefined;
let xml: typeof Xml | undefined;
let streamJson: typeof StreamJson | undefined;

export const yamlLib = (): typeof Yaml => (yaml ??= load('yaml') as typeof Yaml);
export const tomlLib = (): typeof Toml => (toml ??= load('smol-toml') as typeof Toml);
export const xmlLib = (): typeof Xml => (xml ??= load('fast-xml-parser') as typeof Xml);
/** The streaming JSON parser, for documents too large to read whole (io/json-stream.ts). */
export const streamJsonLib = (): typeof StreamJson => (streamJson ??= load('@streamparser/json') as typeof StreamJson);
