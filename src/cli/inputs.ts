/** The input options `scan` and `sbom` share: what to read, and how. */
import type { Command } from 'commander';
import { defaultExtractors } from '../inventory/extractors.js';
import { repeatable } from './repeatable.js';
import type { InputStatus } from '../model/inventory.js';

export interface InputOptions {
  parseAs?: string;
  rootfs: string[];
  allowPartial?: boolean;
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--parse-as <name>', 'read each file named on the command line as NAME (e.g. package-lock.json, yarn.lock, dpkg-status), whatever its own name')
    .option('--rootfs <dir>', 'a root filesystem to inventory: OS packages (dpkg, apk), every lockfile and installed package found in it, and its Go executables (repeatable)', repeatable, [])
    .option('--allow-partial', 'an input read only in part (an entry that does not parse, a nested archive that cannot be opened), or a file a folder walk found but could not read, does not make the exit code 2; it is still reported (a file you name that cannot be read always does)');
}

/** The stderr line for an input read only in part: how much was lost, and the first of it. */
export function partialLine(i: InputStatus): string {
  const lost = i.lost ?? [];
  return `vouch: ${i.path}: read only in part: ${lost.length} item(s) could not be read (first: ${lost[0] ?? '?'})${lost.length > 1 ? '; --verbose lists them' : ''}`;
}

/** The formats vouch reads, one line per ecosystem, from the extractors themselves (so --help never drifts). */
export function formatsHelp(): string {
  const byGroup = new Map<string, string[]>();
  for (const x of defaultExtractors()) {
    const group = x.id.slice(0, x.id.indexOf('/'));
    const names = x.parseAs ?? [x.id.slice(x.id.indexOf('/') + 1)];
    byGroup.set(group, [...(byGroup.get(group) ?? []), ...names]);
  }
  const width = Math.max(...[...byGroup.keys()].map((k) => k.length)) + 2;
  const lines = [...byGroup].map(([group, names]) => `  ${group.padEnd(width)}${[...new Set(names)].join(', ')}`);
  return `Inputs read (also the NAMEs --parse-as takes):
${lines.join('\n')}
  SBOMs are recognised by name (bom.json, *.cdx.json, *.cdx.xml, *.spdx.json, *.spdx) and, when
  named explicitly, by content; a .tar holding a docker-save or OCI image is scanned layer by layer.`;
}
