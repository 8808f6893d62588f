import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_OSV_SOURCE } from '../advisories/sources.js';
import { DEFAULT_EPSS_SOURCE } from '../advisories/epss.js';
import { DEFAULT_KEV_SOURCE } from '../advisories/kev.js';
import { feedLines } from '../advisories/render.js';
import { feedPlan } from './db.js';

describe('which feeds `vouch db update` loads', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('the public OSV bucket brings the public KEV and EPSS feeds', () => {
    vi.stubEnv('VOUCH_OSV_SOURCE', '');
    expect(feedPlan({})).toEqual({ source: DEFAULT_OSV_SOURCE, kev: DEFAULT_KEV_SOURCE, epss: DEFAULT_EPSS_SOURCE });
    expect(feedPlan({ source: `${DEFAULT_OSV_SOURCE}/` }).kev).toBe(DEFAULT_KEV_SOURCE);
  });

  it('a local source stays offline: no feed unless named', () => {
    expect(feedPlan({ source: '/data/osv' })).toEqual({ source: '/data/osv', kev: undefined, epss: undefined });
    vi.stubEnv('VOUCH_OSV_SOURCE', '/mirror/osv');
    expect(feedPlan({})).toEqual({ source: '/mirror/osv', kev: undefined, epss: undefined });
    expect(feedPlan({ kev: 'kev.json' })).toEqual({ source: '/mirror/osv', kev: 'kev.json', epss: undefined });
  });

  it('--no-kev / --no-epss skip a default feed; --no-osv loads only the named feeds', () => {
    vi.stubEnv('VOUCH_OSV_SOURCE', '');
    expect(feedPlan({ kev: false })).toEqual({ source: DEFAULT_OSV_SOURCE, kev: undefined, epss: DEFAULT_EPSS_SOURCE });
    expect(feedPlan({ osv: false, epss: 'e.csv.gz' })).toEqual({ source: undefined, kev: undefined, epss: 'e.csv.gz' });
  });

  it('usage errors: --no-osv with --source, or --no-osv with nothing to load', () => {
    expect(() => feedPlan({ osv: false, source: '/x' })).toThrow('--no-osv and --source cannot be used together');
    expect(() => feedPlan({ osv: false })).toThrow('--no-osv loads nothing without --kev or --epss');
  });

  it('status lines say when a feed is not loaded', () => {
    expect(feedLines([])).toBe('KEV:  not loaded (vouch db update --kev FILE|URL)\nEPSS: not loaded (vouch db update --epss FILE|URL)\n');
  });
});
