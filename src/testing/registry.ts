/**
 * For the rare test that needs the npm registry (a real relock, a real tarball download): they run
 * when the registry npm is configured for answers, and are skipped with a message saying so when
 * it does not (a machine without network). `npm ping` asks through npm's own configuration
 * (registry, proxy, auth), as the code under test does. VOUCH_TEST_REGISTRY=0 turns them off.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

function probe(): { reachable: boolean; why: string } {
  if (process.env['VOUCH_TEST_REGISTRY'] === '0') return { reachable: false, why: 'VOUCH_TEST_REGISTRY=0' };
  const r = spawnSync('npm', ['ping'], { cwd: os.tmpdir(), encoding: 'utf8', timeout: 15_000 });
  if (r.status === 0) return { reachable: true, why: '' };
  const why = r.error ? r.error.message : (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.status}`;
  return { reachable: false, why };
}

const result = probe();

/** The configured npm registry answered `npm ping`. */
export const REGISTRY_REACHABLE = result.reachable;

if (!REGISTRY_REACHABLE) {
  console.warn(`[vouch tests] the npm registry is not reachable (${result.why}): tests that need it are skipped.`);
}
