import { afterEach, describe, expect, it } from 'vitest';
import { passphraseFrom } from './key.js';

describe('passphraseFrom', () => {
  afterEach(() => {
    delete process.env['VOUCH_KEY_TEST'];
  });

  it('reads --passphrase-env VAR; none without options', async () => {
    process.env['VOUCH_KEY_TEST'] = 's3cret';
    expect(await passphraseFrom({ passphraseEnv: 'VOUCH_KEY_TEST' })).toBe('s3cret');
    expect(await passphraseFrom({})).toBeUndefined();
  });

  it('refuses an unset or empty variable, and both options at once', async () => {
    await expect(passphraseFrom({ passphraseEnv: 'VOUCH_KEY_TEST' })).rejects.toThrow('--passphrase-env: environment variable VOUCH_KEY_TEST is not set or empty');
    process.env['VOUCH_KEY_TEST'] = '';
    await expect(passphraseFrom({ passphraseEnv: 'VOUCH_KEY_TEST' })).rejects.toThrow(/is not set or empty/);
    await expect(passphraseFrom({ passphraseEnv: 'VOUCH_KEY_TEST', passphrase: true })).rejects.toThrow('--passphrase-env and --passphrase exclude each other');
  });

  it('--passphrase without a terminal says to use --passphrase-env', async () => {
    // vitest's workers have no TTY on stdin
    await expect(passphraseFrom({ passphrase: true })).rejects.toThrow(/there is none: use --passphrase-env VAR/);
  });
});
