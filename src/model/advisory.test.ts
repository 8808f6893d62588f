import { describe, expect, it } from 'vitest';
import { cveIds } from './advisory.js';

describe('cveIds', () => {
  it('keeps CVE ids only, upper-cased, once', () => {
    expect(cveIds(['GHSA-jfh8-c2jp-5v3q', 'cve-2021-44228', 'CVE-2021-44228', 'PYSEC-2021-1'])).toEqual(['CVE-2021-44228']);
  });
});
