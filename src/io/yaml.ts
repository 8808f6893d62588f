/**
 * YAML inputs read one way (issue 12; docs/reliability.md "Parsers, sizes and output"): the
 * `yaml` library's document, then the checks a hostile file needs, each a one-line INPUT_PARSE
 * error naming the line:
 *  - a syntax error;
 *  - a tag the YAML 1.2 core schema does not define (`!foo`, `!!js/function`, `!!binary`): vouch
 *    never constructs application types, and a value behind one is not what it looks like;
 *  - aliases: in lockfiles, refused (their writers — pnpm, yarn, dart — never write anchors, and an
 *    alias bomb expands to gigabytes); in files people write (the policy, the playbook), at most
 *    MAX_ALIASES, resolved by the library's own counting;
 *  - duplicate keys: an error, or — for a reader that turns them into `lost` entries — returned;
 *  - nesting so deep that the library's recursion overflows the stack.
 * The walk over the nodes is iterative: a deep document does not overflow it.
 */
import type * as Yaml from 'yaml';
import { VouchError } from '../model/errors.js';
import { yamlLib } from './libs.js';

/** Aliases allowed in a file people write (resolved by the library, which refuses more). */
export const MAX_ALIASES = 100;

export interface YamlInputOptions {
  /** `refuse`: any alias is an error (lockfiles); `bounded`: up to MAX_ALIASES (policy, playbook). */
  aliases: 'refuse' | 'bounded';
  /** `error`: a repeated key in a map is an error; `report`: returned in `duplicates`. */
  duplicateKeys: 'error' | 'report';
}

export interface YamlInput {
  doc: Yaml.Document.Parsed;
  lines: Yaml.LineCounter;
  /** The repeated keys, in document order, with the line of the repetition (`duplicateKeys: 'report'`). */
  duplicates: { key: string; line: number }[];
  /** The 1-based line of a node, when it has a position. */
  lineOf(node: { range?: [number, number, number] | null } | null | undefined): number | undefined;
}

const CORE_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq']);

/** Parses and checks YAML text; `path` names the file in errors. */
export function parseYamlInput(text: string, path: string, opts: YamlInputOptions): YamlInput {
  const Y = yamlLib();
  const lines = new Y.LineCounter();
  let doc: Yaml.Document.Parsed;
  try {
    // uniqueKeys is checked below in one pass (the library's check is quadratic in a map's size)
    doc = Y.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, version: '1.2', schema: 'core' });
  } catch (e) {
    throw tooDeep(e, path);
  }
  const lineAt = (offset: number): number => lines.linePos(offset).line;
  const lineOf = (n: { range?: [number, number, number] | null } | null | undefined): number | undefined => (n?.range ? lineAt(n.range[0]) : undefined);
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0]?.line ?? lineAt(err.pos[0]);
    throw new VouchError('INPUT_PARSE', `not valid YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, { path, position: { line }, cause: err });
  }
  const duplicates: { key: string; line: number }[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (Y.isAlias(n)) {
      if (opts.aliases === 'refuse') {
        throw new VouchError('INPUT_PARSE', `YAML alias *${n.source} is not read in a lockfile (its writers never use anchors; an alias can expand without bound)`, {
          path,
          ...posOf(lineOf(n)),
        });
      }
      continue;
    }
    if (Y.isNode(n) && n.tag !== undefined && !CORE_TAGS.has(n.tag)) {
      throw new VouchError('INPUT_PARSE', `YAML tag ${n.tag.replace(/^tag:yaml.org,2002:/, '!!')} is not read (only the YAML 1.2 core schema's)`, { path, ...posOf(lineOf(n)) });
    }
    if (Y.isMap(n)) {
      const seen = new Set<string>();
      for (const pair of n.items) {
        const k = pair.key;
        if (Y.isScalar(k)) {
          const key = String(k.value);
          if (seen.has(key)) {
            const line = lineOf(k) ?? 0;
            if (opts.duplicateKeys === 'error') throw new VouchError('INPUT_PARSE', `not valid YAML: duplicate key ${JSON.stringify(key)} (map keys must be unique: which one is meant cannot be known)`, { path, ...posOf(line) });
            duplicates.push({ key, line });
          }
          seen.add(key);
        }
      }
      // pushed last to first, so the first problem in document order is the one reported
      for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]!.value, n.items[i]!.key);
    } else if (Y.isSeq(n)) {
      for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]);
    }
  }
  // unknown tags the library could not resolve are also reported as warnings
  const tagWarning = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tagWarning) {
    throw new VouchError('INPUT_PARSE', `${tagWarning.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}: only the YAML 1.2 core schema's tags are read`, {
      path,
      ...posOf(tagWarning.linePos?.[0]?.line ?? lineAt(tagWarning.pos[0])),
    });
  }
  return { doc, lines, duplicates, lineOf };
}

/** The document as plain data, aliases resolved up to MAX_ALIASES (an alias bomb is one line, not gigabytes). */
export function yamlToJs(input: YamlInput, path: string): unknown {
  try {
    return input.doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new VouchError('INPUT_PARSE', `YAML aliases expand too far (more than ${MAX_ALIASES}): ${e.message}`, { path, cause: e });
    }
    throw tooDeep(e, path);
  }
}

function posOf(line: number | undefined): { position?: { line: number } } {
  return line !== undefined && line > 0 ? { position: { line } } : {};
}

/** The library recurses per nesting level: a stack overflow there is the input's depth, said in one line. */
function tooDeep(e: unknown, path: string): unknown {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new VouchError('INPUT_PARSE', 'YAML nested too deeply to read', { path, cause: e });
  }
  return e;
}
