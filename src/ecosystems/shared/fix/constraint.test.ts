import { describe, expect, it } from 'vitest';
import { cargo } from '../../cargo/index.js';
import { packagist } from '../../packagist/index.js';
import { pypi } from '../../pypi/index.js';
import { rubygems } from '../../rubygems/index.js';
import type { Versioning } from '../../types.js';
import { type DialectName, admits, rewriteConstraint } from './constraint.js';

const VS: Record<DialectName, Versioning> = { poetry: pypi.versioning, pep508: pypi.versioning, cargo: cargo.versioning, ruby: rubygems.versioning, composer: packagist.versioning };

// semantics per the ecosystems' docs: Poetry/Cargo `~1.2` <1.3, `^0.2` <0.3; Ruby `~> 1.2` <2.0;
// PEP 440 `~=1.2.0` <1.3; Composer `~1.2` <2.0, `~1.2.3` <1.3; Cargo bare = caret, others bare = exact
describe('admits', () => {
  it.each([
    ['poetry', '^1.2', '1.9.0', true],
    ['poetry', '^1.2', '2.0.0', false],
    ['poetry', '^0.2.3', '0.3.0', false],
    ['poetry', '~1.2', '1.3.0', false],
    ['poetry', '1.2.0', '1.2.1', false],
    ['poetry', '>=1.2,<2', '1.5', true],
    ['poetry', '^1.0 || ^2.0', '2.5', true],
    ['pep508', '~=1.2.0', '1.3.0', false],
    ['pep508', '~=1.2', '1.9', true],
    ['pep508', '', '9.9', true],
    ['cargo', '1.5', '1.9.0', true],
    ['cargo', '0.1', '0.2.0', false],
    ['cargo', '=0.6.9', '0.6.14', false],
    ['cargo', '~1.2', '1.3.0', false],
    ['ruby', '~> 2.2.3', '2.2.3.1', true],
    ['ruby', '~> 1.2', '1.99', true],
    ['ruby', '~> 1.2', '2.0', false],
    ['ruby', '>= 1.0, < 3', '2.2.3.1', true],
    ['composer', '~1.2', '1.9.0', true],
    ['composer', '~1.2.3', '1.3.0', false],
    ['composer', '>=1.2 <2.0', '1.5.0', true],
    ['composer', '1.2.*', '1.3.0', false],
  ] as const)('%s %s admits %s: %s', (d, c, v, want) => {
    expect(admits(d, VS[d], c, v)).toBe(want);
  });
});

describe('rewriteConstraint', () => {
  it.each([
    ['poetry', '^1.2', '1.4.3', 'admits'],
    ['poetry', '^1.2', '2.0.1', '^2.0.1'],
    ['poetry', '~2.10', '2.11.3', '~2.11.3'],
    ['poetry', '~2', '3.0.5', '~3,>=3.0.5'],
    ['poetry', '2.10', '2.11.3', '2.11.3'],
    ['poetry', '==2.10', '2.11.3', '==2.11.3'],
    ['poetry', '>=1.2,<1.4', '1.4.3', 'manual'],
    ['poetry', '^1.0 || ^2.0', '3.0.1', 'manual'],
    ['pep508', '>=1.2,<2', '1.4.3', 'admits'],
    ['pep508', '>=1.2, <1.4', '1.4.3', 'manual'],
    ['pep508', '>1.0,<2', '1.0.1', 'admits'],
    ['pep508', '>=1.0, != 1.0.5, <1.2', '1.2.1', 'manual'],
    ['pep508', '>=1.0, != 1.0.5', '1.0.5', 'manual'],
    ['pep508', '==2.10', '2.11.3', '==2.11.3'],
    ['pep508', '== 2.10', '2.11.3', '== 2.11.3'],
    ['pep508', '~=2.10.0', '2.11.3', '~=2.11.3'],
    ['pep508', '~=1.2', '2.0.5', '~=2.0,>=2.0.5'],
    ['pep508', '<1.4', '1.4.3', 'manual'],
    ['cargo', '=0.6.9', '0.6.14', '=0.6.14'],
    ['cargo', '0.1', '0.2.0', '0.2.0'],
    ['cargo', '^0.1.2', '0.2.0', '^0.2.0'],
    ['cargo', '>=0.1, <0.2', '0.2.0', 'manual'],
    ['ruby', '1.12.5', '1.13.4', '1.13.4'],
    ['ruby', '= 1.12.5', '1.13.4', '= 1.13.4'],
    ['ruby', '~> 1.2.0', '1.4.3', '~> 1.4.3'],
    ['ruby', '~> 1.12.0', '1.13.4', '~> 1.13.4'],
    ['ruby', '~> 2.0.1, >= 2.0.1.2', '2.1.3', '~> 2.1.3, >= 2.1.3'],
    ['ruby', '~> 1.2.0', '1.3', '~> 1.3.0'],
    ['composer', '~1.0.70', '1.1.4', '~1.1.4'],
    ['composer', '~1.2', '2.1.3', '~2.1 >=2.1.3'],
    ['composer', '^6.3', '7.0.1', '^7.0.1'],
    ['composer', '1.2.*', '1.3.1', 'manual'],
    ['composer', 'v2.1.0', '2.1.1', '2.1.1'],
  ] as const)('%s %s fixed %s → %s', (d, c, fixed, want) => {
    const r = rewriteConstraint(d, VS[d], c, fixed);
    expect(r.kind === 'edit' ? r.text : r.kind).toBe(want);
  });
});
