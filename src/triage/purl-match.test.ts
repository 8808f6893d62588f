import { describe, expect, it } from 'vitest';
import type { ReportFinding } from '../model/triage.js';
import { log4shellFinding } from '../testing/report-finding.js';
import { ignoreSuppressor, parsePolicy } from './policy.js';
import { purlCovers } from './purl-match.js';
import { vexFor } from './vex/match.js';
import type { VexStatement } from './vex/types.js';

/** (pattern, purl, covers): the rows once written for VEX statements and for policy rules, one table now. */
const ROWS: [pattern: string, purl: string, covers: boolean][] = [
    // same package, statement with or without version
    ['pkg:npm/lodash@4.17.20', 'pkg:npm/lodash@4.17.20', true],
    ['pkg:npm/lodash', 'pkg:npm/lodash@4.17.20', true],
    ['pkg:npm/lodash@4.17.21', 'pkg:npm/lodash@4.17.20', false],
    ['pkg:npm/lodash@4.17.20', 'pkg:npm/lodash-es@4.17.20', false],
    ['pkg:npm/lodash', 'pkg:pypi/lodash@1.0', false],
    // npm: names are case-sensitive (JSONStream and jsonstream are two packages); the scope encoded or not
    ['pkg:npm/Lodash', 'pkg:npm/lodash@4.17.20', false],
    ['pkg:npm/%40Babel/Core@7.24.0', 'pkg:npm/%40babel/core@7.24.0', false],
    ['pkg:npm/JSONStream', 'pkg:npm/JSONStream@1.3.5', true],
    ['pkg:npm/@babel/core', 'pkg:npm/%40babel/core@7.24.0', true],
    ['pkg:npm/%40babel/core', 'pkg:npm/core@7.24.0', false],
    // pypi: PEP 503 (case, and runs of - _ . are one -)
    ['pkg:pypi/Django_Rest.Framework@3.15.1', 'pkg:pypi/django-rest-framework@3.15.1', true],
    ['pkg:pypi/zope.interface', 'pkg:pypi/zope-interface@6.0', true],
    ['pkg:pypi/django', 'pkg:pypi/django-rest-framework@3.15.1', false],
    // maven and golang: case-sensitive
    ['pkg:maven/org.apache.logging.log4j/log4j-core', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', true],
    ['pkg:maven/org.apache.logging.log4j/Log4j-Core', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', false],
    ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', 'pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1', false],
    ['pkg:golang/github.com/Masterminds/semver/v3', 'pkg:golang/github.com/Masterminds/semver/v3@v3.2.0', true],
    ['pkg:golang/github.com/masterminds/semver/v3', 'pkg:golang/github.com/Masterminds/semver/v3@v3.2.0', false],
    // qualifiers: the statement's must be a subset of the finding's
    ['pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64', 'pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64&distro=wolfi', true],
    ['pkg:apk/wolfi/git@2.39.0-r1?arch=armv7', 'pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64', false],
    ['pkg:apk/wolfi/git@2.39.0-r1', 'pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64', true],
    ['pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar', 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0', false],
    ['pkg:deb/debian/curl?distro=debian-12', 'pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12', true],
    // not purls: only an exact identifier would match
    ['product-ABC', 'pkg:npm/product-abc@1.0.0', false],
    ['cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', false],
    ['pkg:npm/', 'pkg:npm/a@1', false],
    // versions compare decoded: %2B is +, %3A is :
    ['pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5', 'pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64', true],
    ['pkg:deb/debian/openssl@1%3A3.0.11-1', 'pkg:deb/debian/openssl@1:3.0.11-1', true],
    ['pkg:deb/debian/openssl@3.0.11-1', 'pkg:deb/debian/openssl@1:3.0.11-1', false],
    ['pkg:npm/a?__proto__=x', 'pkg:npm/a@1', false],
    ['pkg:npm/a?constructor=x', 'pkg:npm/a@1?constructor=x', true],
    // rows from the policy's tests
    ['pkg:npm/lodash', 'pkg:npm/lodash@4.17.20', true],
    ['pkg:npm/lodash@4.17.20', 'pkg:npm/lodash@4.17.20', true],
    ['pkg:npm/lodash@4.17.21', 'pkg:npm/lodash@4.17.20', false],
    ['pkg:npm/lodash', 'pkg:npm/lodash-es@4.17.20', false],
    ['pkg:npm/%40babel/core', 'pkg:npm/%40babel/core@7.24.0', true],
    ['pkg:npm/core', 'pkg:npm/%40babel/core@7.24.0', false],
    ['pkg:pypi/python-dateutil', 'pkg:pypi/python_dateutil@2.8.2', true],
    ['pkg:pypi/Django', 'pkg:pypi/django@4.2.0', true],
    ['pkg:maven/org.apache.logging.log4j/log4j-core', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', true],
    ['pkg:maven/org.apache.logging.log4j/log4j-api', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', false],
    ['pkg:deb/debian/openssl?distro=debian-12', 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12', true],
    ['pkg:deb/debian/openssl?distro=debian-11', 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12', false],
    ['pkg:cargo/serde', 'pkg:npm/serde@1.0.0', false],
    // versions compare in the ecosystem's order: PEP 440 1.0 is 1.0.0; npm 1.0.0 and 1.0.0+build are not one text
    ['pkg:pypi/django@4.2', 'pkg:pypi/django@4.2.0', true],
    ['pkg:pypi/django@4.2', 'pkg:pypi/django@4.2.1', false],
];

describe('purlCovers', () => {
  it.each(ROWS)('%s covers %s: %s', (pattern, purl, expected) => {
    expect(purlCovers(pattern, purl)).toBe(expected);
  });
});

describe('VEX and the policy decide the same about the same package', () => {
  const finding = (purl: string): ReportFinding => log4shellFinding({ id: 'CVE-2021-44228', ids: ['CVE-2021-44228'], aliases: [], purl });
  it.each(ROWS.filter(([p]) => p.startsWith('pkg:')))('%s vs %s', (pattern, purl) => {
    const statement: VexStatement = {
      vulnerability: { id: 'CVE-2021-44228', aliases: [] },
      products: [pattern],
      subcomponents: [],
      status: 'not_affected',
      justification: 'component_not_present',
      source: 'a.openvex.json ($.statements[0])',
    };
    const byVex = vexFor([statement], { purl, id: 'CVE-2021-44228', aliases: [] }) !== undefined;
    let policy;
    try {
      policy = parsePolicy(`version: 1\nignore:\n  - id: CVE-2021-44228\n    package: "${pattern}"\n    reason: r\n    expires: 2099-01-01\n`, 'vouch.policy.yaml');
    } catch {
      // the policy refuses a package that is not a purl at all; such a VEX product matches nothing either
      expect(byVex).toBe(false);
      return;
    }
    const byPolicy = ignoreSuppressor(policy, new Date('2030-01-01T00:00:00Z'))(finding(purl)) !== undefined;
    expect(byPolicy).toBe(byVex);
    expect(byVex).toBe(purlCovers(pattern, purl));
  });
});
