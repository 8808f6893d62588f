import { describe, expect, it } from 'vitest';
import { localPathOf, markerIn } from './client';

describe('markerIn', () => {
  it('finds the signed-in marker among the page\'s cookies, plain or __Host- (behind https)', () => {
    expect(markerIn('vouch_signed_in=1')).toBe('vouch_signed_in');
    expect(markerIn('theme=dark; __Host-vouch_signed_in=1; x=y')).toBe('__Host-vouch_signed_in');
  });

  it('says signed out for anything else: no marker, a cleared one, a look-alike name or value', () => {
    for (const c of ['', 'theme=dark', 'vouch_signed_in=', 'vouch_signed_in=0', 'vouch_signed_in=10', 'xvouch_signed_in=1', 'vouch_signed_in_old=1']) expect(markerIn(c), c).toBeUndefined();
  });
});

describe('localPathOf', () => {
  it('returns only to a path of this app', () => {
    expect(localPathOf('/projects/billing?version=1.0')).toBe('/projects/billing?version=1.0');
    for (const bad of [undefined, '', 'https://evil.example/', '//evil.example', '/\\evil.example', '/sign-in?next=/']) expect(localPathOf(bad), String(bad)).toBe('/');
  });
});
