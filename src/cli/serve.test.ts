/** `vouch serve`'s notification flags: --smtp / $VOUCH_SMTP_URL checked before anything starts, never echoed. */
import { describe, expect, it } from 'vitest';
import { vouch } from '../../test/acceptance/helpers.js';
import { smtpSettings } from './serve.js';

describe('smtpSettings', () => {
  it('takes an smtp:// or smtps:// URL with a From address', () => {
    expect(smtpSettings('smtp://vouch:pw@mail.example:587', 'vouch@example.com')).toEqual({ url: 'smtp://vouch:pw@mail.example:587', from: 'vouch@example.com' });
    expect(smtpSettings('smtps://mail.example:465', 'alerts@example.org')).toEqual({ url: 'smtps://mail.example:465', from: 'alerts@example.org' });
    expect(smtpSettings(undefined, undefined)).toBeUndefined();
  });

  it('refuses what is not one, without quoting the URL', () => {
    const refused = (url: string | undefined, from: string | undefined): string => {
      try {
        smtpSettings(url, from);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused('https://vouch:s3cret@mail.example/', 'a@example.com')).toBe('--smtp must be an smtp:// or smtps:// URL (got https://…)');
    expect(refused('smtp://vouch:s3cret@mail.example:587', undefined)).toMatch(/^--smtp needs --smtp-from/);
    expect(refused('smtp://vouch:s3cret@mail.example:587', 'not-an-address')).toMatch(/^--smtp needs --smtp-from/);
    expect(refused('smtp://vouch:s3cret@mail.example:587?sendmail=true', 'a@example.com')).toBe('--smtp takes no query options: host, port and credentials only');
    expect(refused('not a url s3cret', 'a@example.com')).not.toContain('s3cret');
    expect(refused(undefined, 'a@example.com')).toBe('--smtp-from needs --smtp (or $VOUCH_SMTP_URL)');
  });
});

describe('vouch serve with a bad SMTP setting', () => {
  it('exits 2 with one line that does not show the password', () => {
    const r = vouch(['serve', '--port', '0', '--smtp-from', 'vouch@example.com'], { VOUCH_SMTP_URL: 'http://vouch:s3cret@mail.example/' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['vouch: --smtp must be an smtp:// or smtps:// URL (got http://…)']);
    const n = vouch(['serve', '--port', '0', '--notify-every', '0'], {});
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/^vouch: --notify-every must be a number from 0\.05 to 3600 \(got "0"\)$/m);
  });
});
