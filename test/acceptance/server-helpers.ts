/** Starting `vouch serve` as a process (bin/vouch → dist/) for the acceptance tests, and PostgreSQL schemas of their own. */
import { type ChildProcess, spawn } from 'node:child_process';
import { TEST_PG_URL } from '../../src/testing/db.js';
import { VOUCH } from './helpers.js';

/** Runs one statement on the VOUCH_TEST_PG server (creating and dropping a test's schemas). */
export async function pgAdmin(statement: string): Promise<void> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export interface ServeProcess {
  child: ChildProcess;
  /** http://host:port it listens on */
  url: string;
  /** its stderr so far */
  stderr(): string;
  /** resolves with the exit code (or the signal's name) when it ended */
  exited: Promise<number | string | null>;
}

/** Starts `vouch serve --port 0 …args` with `env` added and waits for its "serving URL" line (60 s). */
export async function startServe(args: readonly string[], env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, [VOUCH, 'serve', '--port', '0', '--log-level', 'warn', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.resume();
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vouch serve did not start: ${stderr}`)), 60_000);
    child.stderr!.on('data', () => {
      const m = /serving (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vouch serve exited ${code}: ${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr, exited };
}
