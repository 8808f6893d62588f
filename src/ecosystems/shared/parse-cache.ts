/**
 * A bounded cache in front of a version parser: version comparison sits on the hot path of
 * matching, and the same few strings are parsed over and over. Two generations of at most
 * GENERATION entries each: when the young one fills it becomes the old one, and what is still
 * used moves back up (cheaper in V8 than evicting one entry at a time).
 */
import { VouchError } from '../../model/errors.js';

const GENERATION = 4096;

export interface CachedParser<T> {
  /** The parsed version, or undefined when the string is not a version of the ecosystem. */
  parse(s: string): T | undefined;
  /** The parsed version; throws VouchError(INPUT_PARSE) naming the ecosystem when it does not parse. */
  mustParse(s: string): T;
}

export function cachedParser<T>(parseUncached: (s: string) => T | undefined, ecosystem: string): CachedParser<T> {
  let young = new Map<string, T>();
  let old = new Map<string, T>();
  const parse = (s: string): T | undefined => {
    let v = young.get(s);
    if (v !== undefined) return v;
    v = old.get(s) ?? parseUncached(s);
    if (v === undefined) return undefined;
    if (young.size >= GENERATION) {
      old = young;
      young = new Map();
    }
    young.set(s, v);
    return v;
  };
  return {
    parse,
    mustParse(s) {
      const v = parse(s);
      if (v === undefined) throw new VouchError('INPUT_PARSE', `not a ${ecosystem} version: ${JSON.stringify(s)}`);
      return v;
    },
  };
}
