/** Maven fix support (docs/fix.md): a dependency's `<version>` in pom.xml, or the `<properties>` entry it references, raised in place. */
import path from 'node:path';
import type { Component } from '../../model/component.js';
import { escapeRe, replaceOn, textFixer } from '../shared/fix/common.js';
import type { TextManifest } from '../shared/fix/types.js';
import { pomExtractor } from './pom.js';

/** The <version> inside the dependency starting at line `index`, or the property it names; mutates `lines`. */
function editPomVersion(lines: string[], index: number, c: Component, to: string): { line: number; note?: string } | undefined {
  for (let i = index; i < lines.length && i < index + 40; i++) {
    const l = lines[i]!;
    const m = /<version>\s*([^<]*?)\s*<\/version>/.exec(l);
    if (m) {
      const prop = /^\$\{([^}]+)\}$/.exec(m[1]!);
      if (!prop) {
        return m[1] === c.version && replaceOn(lines, i, new RegExp(`(<version>\\s*)${escapeRe(c.version)}(\\s*</version>)`), `$1${to}$2`) ? { line: i } : undefined;
      }
      const name = escapeRe(prop[1]!);
      for (let j = 0; j < lines.length; j++) {
        if (replaceOn(lines, j, new RegExp(`(<${name}>\\s*)${escapeRe(c.version)}(\\s*</${name}>)`), `$1${to}$2`)) {
          return { line: j, note: `raises the property \${${prop[1]}}: every dependency using it moves to ${to}` };
        }
      }
      return undefined;
    }
    if (/<\/dependency>/.test(l)) return undefined;
  }
  return undefined;
}

export const pomManifest: TextManifest = {
  kind: 'pom',
  name: 'pom.xml',
  wants: (file) => path.basename(file) === 'pom.xml' || path.basename(file).endsWith('.pom'),
  extractor: pomExtractor,
  editVersion: editPomVersion,
};

export const fixer = textFixer(pomManifest);
