// bench/RESULTS.md is made of sections, one per benchmark script, each starting with its `## `
// heading; a script replaces its own section (or appends it) and keeps the others.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');

const HEADER =
  '# Benchmark results\n\nRecorded runs of the benchmarks in bench/ (see the comment at the top of each script). Each section is replaced by the script that produces it.\n';

/** `section` starts with `heading`; written atomically (temp file, then rename). */
export function replaceSection(heading, section) {
  const old = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : HEADER;
  const body = `${section.replace(/\n*$/, '')}\n`;
  const start = old.indexOf(`${heading}\n`);
  let next;
  if (start < 0) next = `${old.replace(/\n*$/, '')}\n\n${body}`;
  else {
    const rest = old.slice(start + heading.length).search(/\n## /);
    const tail = rest < 0 ? '' : old.slice(start + heading.length + rest + 1);
    next = `${old.slice(0, start)}${body}${tail ? `\n${tail}` : ''}`;
  }
  writeFileSync(`${RESULTS_FILE}.tmp`, next);
  renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);
}
