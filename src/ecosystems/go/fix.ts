/** Go fix support (docs/fix.md): the version of a `require` line of go.mod (`// indirect` ones too) raised in place. */
import path from 'node:path';
import { escapeRe, replaceOn, textFixer } from '../shared/fix/common.js';
import type { TextManifest } from '../shared/fix/types.js';
import { goModExtractor } from './go-mod.js';

export const goModManifest: TextManifest = {
  kind: 'go.mod',
  name: 'go.mod',
  wants: (file) => path.basename(file) === 'go.mod',
  extractor: goModExtractor,
  editVersion: (lines, index, c, to) => (replaceOn(lines, index, new RegExp(`(\\s)${escapeRe(c.version)}(?=\\s|$|//)`), `$1${to}`) ? { line: index } : undefined),
  // the go line is a minimum, not the toolchain a build uses
  notInManifest: (c, target) => (c.name === 'stdlib' || c.name === 'toolchain' ? `fixed in Go ${target}: build with that toolchain (the go line is a minimum, not the toolchain used)` : undefined),
};

export const fixer = textFixer(goModManifest);
