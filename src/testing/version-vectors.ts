/**
 * Loads the peer-written version-ordering vectors of ../shared/conformance/versions
 * (osv-scalibr semantic/testdata) for one ecosystem, as table rows.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { shared } from './shared.js';

export interface VersionVector {
  a: string;
  op: '<' | '=' | '>';
  b: string;
  file: string;
  line: number;
}

interface EcosystemsJson {
  mapping: { ecosystem: string; file: string }[];
  invalidVersions: { ecosystem: string; versions: string[] }[];
}

function ecosystemsJson(): EcosystemsJson {
  return JSON.parse(readFileSync(shared('conformance', 'versions', 'ecosystems.json'), 'utf8')) as EcosystemsJson;
}

/** `ecosystem` as ecosystems.json writes it ("cargo" for crates.io). */
export function versionVectors(ecosystem: string): VersionVector[] {
  const files = ecosystemsJson().mapping.filter((m) => m.ecosystem === ecosystem).map((m) => m.file);
  if (files.length === 0) throw new Error(`no version vectors mapped to ${ecosystem}`);
  const out: VersionVector[] = [];
  for (const file of files) {
    const lines = readFileSync(shared('conformance', 'versions', file), 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '' || line.startsWith('# ') || line.startsWith('// ')) return;
      const parts = line.split(' ');
      if (parts.length !== 3) throw new Error(`${file}:${i + 1}: expected "<a> <op> <b>", got ${JSON.stringify(line)}`);
      const [a, op, b] = parts as [string, string, string];
      if (op !== '<' && op !== '=' && op !== '>') throw new Error(`${file}:${i + 1}: bad operator ${op}`);
      out.push({ a, op, b, file: path.basename(file), line: i + 1 });
    });
  }
  return out;
}

export function invalidVersions(ecosystem: string): string[] {
  return ecosystemsJson().invalidVersions.find((v) => v.ecosystem === ecosystem)?.versions ?? [];
}

/** The sign a comparison must have for a vector. */
export function expectedSign(op: '<' | '=' | '>'): -1 | 0 | 1 {
  return op === '<' ? -1 : op === '>' ? 1 : 0;
}
