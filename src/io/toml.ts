/** TOML read with errors that name the file and line. */
import { VouchError } from '../model/errors.js';
import { tomlLib } from './libs.js';

/** Parse TOML; a syntax error becomes VouchError(INPUT_PARSE) with the line. */
export function parseTomlInput(text: string, file: string): Record<string, unknown> {
  try {
    return tomlLib().parse(text) as Record<string, unknown>;
  } catch (e) {
    const line = e instanceof tomlLib().TomlError ? (e as InstanceType<ReturnType<typeof tomlLib>['TomlError']>).line : undefined;
    const msg = (e as Error).message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
    throw new VouchError('INPUT_PARSE', `not valid TOML: ${msg}`, {
      path: file,
      ...(line !== undefined ? { position: { line } } : {}),
      cause: e,
    });
  }
}
