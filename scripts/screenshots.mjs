// The dashboard's screenshots in docs/img (docs/dashboard.md shows them): the browser tests run
// with VOUCH_SCREENSHOTS set, so the pictures are of the pages those tests just checked — every
// page at 1366×768 in the light scheme, and the Portfolio and an Incident at 2560×1440 in the dark one.
// Needs Chromium (/usr/bin/chromium or $CHROMIUM) and ../shared; builds the CLI and web/ first.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npm', ['run', 'build']);
run('npm', ['run', 'build:web']);
// one file at a time (each starts its own server and browser)
for (const file of ['test/browser/dashboard.test.ts', 'test/browser/pages.test.ts']) run('npx', ['vitest', 'run', file], { VOUCH_SCREENSHOTS: path.join(root, 'docs', 'img') });
process.stdout.write(`screenshots in ${path.join(root, 'docs', 'img')}\n`);
