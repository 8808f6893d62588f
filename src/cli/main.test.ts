/** How main() reports what goes wrong: an input error in one line (exit 2), a bug in one line (exit 70), the stack only on request. */
import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stdio } from './stdio.js';
import { VouchError } from '../model/errors.js';
import { COMMANDS, main } from './main.js';

/** A command `boom` whose action throws `error`, run through main() as `vouch boom <extra>`. */
async function runThrowing(error: unknown, extra: string[] = []): Promise<{ err: string; code: number }> {
  COMMANDS['boom'] = async () => (program: Command) => {
    program.command('boom').action(() => {
      throw error;
    });
  };
  const err: string[] = [];
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  const sse = vi.spyOn(stdio, 'err').mockImplementation((s: string) => void err.push(s));
  process.exitCode = undefined;
  try {
    await main(['node', 'vouch', 'boom', ...extra]);
    return { err: err.join(''), code: Number(process.exitCode ?? 0) };
  } finally {
    se.mockRestore();
    sse.mockRestore();
    process.exitCode = undefined;
    delete COMMANDS['boom'];
  }
}

describe('main: errors', () => {
  const env = process.env['VOUCH_DEBUG'];
  afterEach(() => {
    if (env === undefined) delete process.env['VOUCH_DEBUG'];
    else process.env['VOUCH_DEBUG'] = env;
  });

  it('an input error: one line naming the file, exit 2', async () => {
    delete process.env['VOUCH_DEBUG'];
    const r = await runThrowing(new VouchError('INPUT_PARSE', 'not JSON', { path: 'a.json', position: { line: 3 } }));
    expect(r).toEqual({ err: 'vouch: a.json:3: not JSON\n', code: 2 });
  });

  it.each([new TypeError("Cannot read properties of undefined (reading 'name')"), new ReferenceError('throws is not defined'), new RangeError('Maximum call stack size exceeded')])(
    'a %s is a bug: one line, exit 70, no stack',
    async (e) => {
      delete process.env['VOUCH_DEBUG'];
      const r = await runThrowing(e);
      expect(r.code).toBe(70);
      expect(r.err).toBe(`vouch: internal error: ${e.name}: ${e.message} (VOUCH_DEBUG=1 or --debug shows the stack)\n`);
    },
  );

  it('--debug or VOUCH_DEBUG adds the stack', async () => {
    delete process.env['VOUCH_DEBUG'];
    const e = new TypeError('x is not a function');
    const a = await runThrowing(e, ['--debug']);
    expect(a.code).toBe(70);
    expect(a.err.split('\n')[0]).toBe('vouch: internal error: TypeError: x is not a function');
    expect(a.err).toContain(e.stack!);
    process.env['VOUCH_DEBUG'] = '1';
    const b = await runThrowing(e);
    expect(b.err).toContain(e.stack!);
  });
});
