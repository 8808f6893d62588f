/**
 * The two string orders every part of vouch sorts and compares by: code-point order (what `<`
 * does — the same on every machine, unlike localeCompare), and the order of unsigned integers
 * written as digit strings, which the version schemes compare without converting them to numbers
 * (they can be longer than a double holds).
 */

/** Code-point order: stable output and ties broken the same everywhere. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Integers as digit strings without leading zeros ("0" for zero): the longer is larger, else code-point order. */
export function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return byCodePoint(a, b);
}
