/**
 * For the rare test that needs the live npm registry (a real relock, a real tarball download):
 * they run only when asked, with VOUCH_TEST_REGISTRY=1 (CI sets it), so a stranger's clone passes
 * offline and says why they were left out. Asked for, they fail rather than skip when the registry
 * does not answer: `registryReady()` runs `npm ping`, which asks through npm's own configuration
 * (registry, proxy, auth), as the code under test does.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** VOUCH_TEST_REGISTRY=1: run the tests that use the live npm registry. */
export const REGISTRY_TESTS = process.env['VOUCH_TEST_REGISTRY'] === '1';

if (!REGISTRY_TESTS) {
  console.warn('[vouch tests] tests that use the live npm registry are left out (set VOUCH_TEST_REGISTRY=1 to run them; CI does).');
}

/** Throws, naming npm's answer, when the configured registry does not answer `npm ping`. */
export function registryReady(): void {
  const r = spawnSync('npm', ['ping'], { cwd: os.tmpdir(), encoding: 'utf8', timeout: 15_000 });
  if (r.status === 0) return;
  const why = r.error ? r.error.message : ((r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.status}`);
  throw new Error(`VOUCH_TEST_REGISTRY=1, but the npm registry does not answer npm ping: ${why}`);
}
