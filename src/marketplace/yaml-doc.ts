/** YAML files the marketplace reads (volunteers, FUNDING.yml): parsed with positions, errors as one line. */
import { LineCounter, type Node, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { VouchError } from '../model/errors.js';

export interface YamlFile {
  /** the document as plain data */
  value: unknown;
  /** 1-based line of a node */
  lineOf(node: unknown): number | undefined;
  /** the node at a path of keys and indexes, for positions */
  nodeAt(path: readonly (string | number)[]): unknown;
}

export function parseYamlFile(text: string, file: string): YamlFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? (err.pos ? lc.linePos(err.pos[0]).line : undefined);
    throw new VouchError('INPUT_PARSE', `not valid YAML: ${err.message.split('\n')[0]}`, { path: file, ...(line !== undefined ? { position: { line } } : {}) });
  }
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as Node | undefined)?.range;
    return range ? lc.linePos(range[0]).line : undefined;
  };
  const nodeAt = (path: readonly (string | number)[]): unknown => {
    let n: unknown = doc.contents;
    for (const k of path) {
      if (isMap(n)) n = n.items.find((p) => isScalar(p.key) && p.key.value === k)?.value ?? n;
      else if (isSeq(n) && typeof k === 'number') n = n.items[k] ?? n;
      else break;
    }
    return n;
  };
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, lineOf, nodeAt };
}
