/**
 * `vouch serve`'s sign-in options as users type them (the built CLI, bin/vouch over dist/): each
 * mistake is exit 2 with one line naming the option, before anything is opened or listened on.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/shared.js';
import { tempFolders } from '../testing/temp.js';

const { tmp } = tempFolders('vouch-serve-sign-in-');
const vouch = (args: string[]) =>
  spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'vouch'), 'serve', '--home', tmp('home'), '--port', '0', ...args], { encoding: 'utf8', env: { ...process.env, VOUCH_DEBUG: '' }, timeout: 60_000 });

describe('vouch serve: --public-url and --oidc-* mistakes', () => {
  const secret = path.join(tmp('secret'), 'oidc-secret');
  writeFileSync(secret, 's3cret\n');
  const empty = path.join(tmp('empty'), 'empty');
  writeFileSync(empty, '\n');
  const oidc = ['--oidc-issuer', 'https://login.example.org', '--oidc-client-id', 'vouch', '--oidc-client-secret-file', secret, '--oidc-roles', 'secteam=admin'];
  const cases: [string, string[], RegExp][] = [
    ['a public URL without a scheme', ['--public-url', 'vouch.example.org'], /^vouch: --public-url must be an http:\/\/ or https:\/\/ URL/],
    ['a public URL with credentials', ['--public-url', 'https://user:pw@vouch.example.org'], /^vouch: --public-url must be/],
    ['OpenID Connect without a public URL', oidc, /^vouch: --oidc-issuer needs --public-url/],
    ['an issuer without client and roles', ['--public-url', 'https://vouch.example.org', '--oidc-issuer', 'https://login.example.org'], /^vouch: --oidc-issuer needs --oidc-client-id, --oidc-client-secret-file and --oidc-roles/],
    ['--oidc-* without an issuer', ['--oidc-roles', 'a=viewer'], /^vouch: --oidc-client-id, --oidc-client-secret-file and --oidc-roles go with --oidc-issuer/],
    ['an unknown role', ['--public-url', 'https://vouch.example.org', ...oidc.slice(0, -1), 'secteam=root'], /^vouch: --oidc-roles: "root" is not a role/],
    ['a secret file that is not there', ['--public-url', 'https://vouch.example.org', ...oidc.map((a) => (a === secret ? path.join(tmp('none'), 'absent') : a))], /^vouch: --oidc-client-secret-file: cannot read .*absent \(ENOENT\)/],
    ['an empty secret file', ['--public-url', 'https://vouch.example.org', ...oidc.map((a) => (a === secret ? empty : a))], /^vouch: --oidc-client-secret-file: .* is empty/],
  ];
  it.each(cases)('%s', (_label, args, message) => {
    const r = vouch(args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    // the secret never reaches the output
    expect(r.stderr).not.toContain('s3cret');
  });
});
