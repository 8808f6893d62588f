/**
 * The scan pipeline's contract below the CLI: an input read only in part is reported as such,
 * counted, rendered, and makes the exit code 2 unless --allow-partial; a clean one does not.
 */
import { describe, expect, it } from 'vitest';
import type { Extractor } from '../ecosystems/types.js';
import { collectInventory } from '../inventory/collect.js';
import { DependencyGraph } from '../model/graph.js';
import type { Inventory } from '../model/inventory.js';
import { renderTable } from '../report/table.js';
import { VouchError } from '../model/errors.js';
import { MemoryAdvisories } from '../testing/fix.js';
import { scanExitCode, scanInventory } from './scan.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A reader of `*.test-lock` files: one package per line `name@version`; a line it cannot read is lost. */
const lineLock: Extractor = {
  id: 'npm/test-lock',
  needs: { network: false, runsCode: false },
  wants: (p) => p.endsWith('.test-lock'),
  async extract(input): Promise<Inventory> {
    const graph = new DependencyGraph();
    const root = `root:${input.path}`;
    graph.addRoot(root, input.path);
    const lost: string[] = [];
    (await input.read())
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = /^([a-z-]+)@(\d+\.\d+\.\d+)$/.exec(line.trim());
        if (!m) {
          if (line.trim()) lost.push(`line ${i + 1}: "${line.trim()}" is not name@version`);
          return;
        }
        const purl = `pkg:npm/${m[1]}@${m[2]}`;
        graph.add({ purl, ecosystem: 'npm', name: m[1]!, version: m[2]!, scope: 'prod', direct: true, locations: [{ path: input.path, line: i + 1 }] });
        graph.addEdge(root, purl);
      });
    return { source: { path: input.path, extractor: this.id }, graph, unresolved: [], warnings: [], lost };
  },
};

// real npm advisories (excerpts of ../shared/osv kept as fixtures beside the npm fixer)
const store = new MemoryAdvisories(path.join(import.meta.dirname, '..', 'ecosystems', 'npm', 'fix', '__fixtures__', 'osv'));
const ctx = { lookup: store, store: [{ ecosystem: 'npm', count: store.all.length, newestModified: null, source: 'fixtures', loadedAt: new Date().toISOString() }] };

async function scanText(text: string): Promise<ReturnType<typeof scanInventory>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vouch-engine-'));
  try {
    const file = path.join(dir, 'app.test-lock');
    writeFileSync(file, text);
    const inventory = await collectInventory([file], { extractors: [lineLock] });
    return scanInventory(inventory, ctx, { failOn: 'none' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('an input read only in part', () => {
  it('is partial, counted, listed in the table, and exits 2 unless --allow-partial', async () => {
    const report = await scanText('left-pad@1.3.0\nnot a package line\nis-odd@3.0.1\n');
    expect(report.inputs).toEqual([
      expect.objectContaining({ status: 'partial', components: 2, lost: ['line 2: "not a package line" is not name@version'] }),
    ]);
    expect(report.summary.inputsPartial).toBe(1);
    expect(report.failed).toBe(false);
    expect(scanExitCode(report)).toBe(2);
    expect(scanExitCode(report, { allowPartial: true })).toBe(0);
    const table = renderTable(report);
    expect(table).toContain('read only in part ');
    expect(table).toContain('1 item could not be read, first: line 2: "not a package line" is not name@version');
    expect(renderTable(report, { verbose: true })).toContain('\n  line 2: "not a package line" is not name@version\n');
  });

  it('a file a walk found but could not read exits 2, unless --allow-partial; a named one always does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vouch-engine-'));
    try {
      writeFileSync(path.join(dir, 'good.test-lock'), 'left-pad@1.3.0\n');
      writeFileSync(path.join(dir, 'bad.test-lock'), 'unreadable\n');
      const failing = { ...lineLock, extract: (input: Parameters<typeof lineLock.extract>[0]) => {
        if (input.path.endsWith('bad.test-lock')) throw new VouchError('INPUT_PARSE', 'not a lockfile', { path: input.path });
        return lineLock.extract(input);
      } };
      const inventory = await collectInventory([dir], { extractors: [failing] });
      const report = scanInventory(inventory, ctx, { failOn: 'none' });
      expect(report.inputs.map((i) => [path.basename(i.path), i.status])).toEqual([['bad.test-lock', 'failed'], ['good.test-lock', 'ok']].sort());
      expect(scanExitCode(report, { named: [dir] })).toBe(2);
      expect(scanExitCode(report, { named: [dir], allowPartial: true })).toBe(0);
      // the same failure on a path the user named is not a walk's leftover: 2 either way
      expect(scanExitCode(report, { named: [dir, path.join(dir, 'bad.test-lock')], allowPartial: true })).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file read whole is ok and exits 0', async () => {
    const report = await scanText('left-pad@1.3.0\n');
    expect(report.inputs[0]).toMatchObject({ status: 'ok' });
    expect(report.inputs[0]!.lost).toBeUndefined();
    expect(report.summary.inputsPartial).toBe(0);
    expect(scanExitCode(report)).toBe(0);
  });
});
