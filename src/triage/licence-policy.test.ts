import { describe, expect, it } from 'vitest';
import { checkListEntry, judgeExpression, judgeLicences } from './licence-policy.js';

// Expected values reasoned from the SPDX specification (Annex D, licence expressions): OR lets the
// licensee choose one side, AND requires both; `+` / `-or-later` admit that version or any later
// one; `-only` exactly that version; a WITH exception is a different licence term than the bare
// licence. Matching of one licence to a list entry is spdx-satisfies'.
const PERMISSIVE = { allow: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC'] };

describe('allow list', () => {
  it.each`
    expression                                               | kind         | offending
    ${'MIT'}                                                 | ${'allowed'} | ${undefined}
    ${'MIT OR GPL-3.0-only'}                                 | ${'allowed'} | ${undefined}
    ${'GPL-3.0-only OR MIT'}                                 | ${'allowed'} | ${undefined}
    ${'MIT AND GPL-3.0-only'}                                | ${'denied'}  | ${['GPL-3.0-only']}
    ${'(MIT OR ISC) AND Apache-2.0'}                         | ${'allowed'} | ${undefined}
    ${'(MIT OR GPL-3.0-only) AND (ISC OR LGPL-2.1-only)'}    | ${'allowed'} | ${undefined}
    ${'(MIT AND GPL-2.0-only) OR (ISC AND LGPL-2.1-only)'}   | ${'denied'}  | ${['GPL-2.0-only', 'LGPL-2.1-only']}
    ${'GPL-3.0-only'}                                        | ${'denied'}  | ${['GPL-3.0-only']}
    ${'GPL-3.0-only OR LGPL-2.1-only OR GPL-3.0-only'}       | ${'denied'}  | ${['GPL-3.0-only', 'LGPL-2.1-only']}
    ${'Apache-2.0 WITH LLVM-exception'}                      | ${'denied'}  | ${['Apache-2.0 WITH LLVM-exception']}
    ${'  MIT  '}                                             | ${'allowed'} | ${undefined}
  `('$expression → $kind', ({ expression, kind, offending }) => {
    const v = judgeExpression(expression, PERMISSIVE);
    expect(v.kind).toBe(kind);
    if (v.kind === 'denied') {
      expect(v.offending).toEqual(offending);
      expect(v.list).toBe('allow');
    }
  });

  it.each`
    allow                                   | expression                          | kind
    ${['Apache-2.0 WITH LLVM-exception']}   | ${'Apache-2.0 WITH LLVM-exception'} | ${'allowed'}
    ${['GPL-2.0-or-later']}                 | ${'GPL-3.0-only'}                   | ${'allowed'}
    ${['GPL-2.0-or-later']}                 | ${'GPL-2.0-only'}                   | ${'allowed'}
    ${['GPL-2.0-or-later']}                 | ${'GPL-2.0+'}                       | ${'allowed'}
    ${['GPL-2.0-or-later']}                 | ${'GPL-1.0-only'}                   | ${'denied'}
    ${['GPL-2.0-or-later']}                 | ${'LGPL-2.1-only'}                  | ${'denied'}
    ${['GPL-3.0-only']}                     | ${'GPL-2.0-or-later'}               | ${'allowed'}
    ${['GPL-3.0-only']}                     | ${'GPL-2.0-only'}                   | ${'denied'}
    ${['GPL-2.0+']}                         | ${'GPL-3.0-or-later'}               | ${'allowed'}
    ${['LicenseRef-Acme']}                  | ${'LicenseRef-Acme'}                | ${'allowed'}
  `('allow $allow: $expression → $kind', ({ allow, expression, kind }) => {
    expect(judgeExpression(expression, { allow }).kind).toBe(kind);
  });
});

describe('deny list', () => {
  const DENY = { deny: ['GPL-3.0-only', 'AGPL-3.0-or-later'] };
  it.each`
    expression                 | kind         | why
    ${'MIT'}                   | ${'allowed'} | ${'not listed'}
    ${'GPL-3.0-only'}          | ${'denied'}  | ${'listed'}
    ${'GPL-3.0'}               | ${'denied'}  | ${'the deprecated id means GPL-3.0-only'}
    ${'MIT OR GPL-3.0-only'}   | ${'allowed'} | ${'MIT can be chosen'}
    ${'MIT AND GPL-3.0-only'}  | ${'denied'}  | ${'every way uses GPL-3.0-only'}
    ${'GPL-2.0-or-later'}      | ${'allowed'} | ${'GPL-2.0 can be chosen'}
    ${'GPL-3.0-or-later'}      | ${'allowed'} | ${'a later GPL can be chosen; only a -or-later entry denies a range'}
    ${'AGPL-3.0-only'}         | ${'denied'}  | ${'inside the denied range'}
    ${'AGPL-3.0-or-later'}     | ${'denied'}  | ${'the range itself'}
    ${'AGPL-3.0+'}             | ${'denied'}  | ${'same range, + syntax'}
  `('$expression → $kind ($why)', ({ expression, kind }) => {
    const v = judgeExpression(expression, DENY);
    expect(v.kind).toBe(kind);
    if (v.kind === 'denied') expect(v.list).toBe('deny');
  });

  it('a denied licence wins over an allow list that also admits it', () => {
    const v = judgeExpression('GPL-3.0-only', { allow: ['GPL-2.0-or-later'], deny: ['GPL-3.0-only'] });
    expect(v).toMatchObject({ kind: 'denied', list: 'deny', offending: ['GPL-3.0-only'] });
  });
});

describe('text that cannot be judged is unknown, never a crash', () => {
  it.each`
    expression                          | lists         | reason
    ${'BSD'}                            | ${PERMISSIVE} | ${/"BSD" is not an SPDX licence expression/}
    ${'UNLICENSED'}                     | ${PERMISSIVE} | ${/not an SPDX licence expression/}
    ${'SEE LICENSE IN LICENSE.md'}      | ${PERMISSIVE} | ${/not an SPDX licence expression/}
    ${'MIT AND'}                        | ${PERMISSIVE} | ${/not an SPDX licence expression/}
    ${'(MIT'}                           | ${PERMISSIVE} | ${/not an SPDX licence expression/}
    ${'The Apache Software License'}    | ${PERMISSIVE} | ${/not an SPDX licence expression/}
    ${'NOASSERTION'}                    | ${PERMISSIVE} | ${/NOASSERTION/}
    ${'NONE'}                           | ${PERMISSIVE} | ${/NONE/}
    ${''}                               | ${PERMISSIVE} | ${/empty/}
    ${'LicenseRef-Proprietary'}         | ${PERMISSIVE} | ${/LicenseRef-Proprietary cannot be judged/}
    ${'DocumentRef-x:LicenseRef-y'}     | ${PERMISSIVE} | ${/cannot be judged/}
    ${'MIT AND LicenseRef-x'}           | ${PERMISSIVE} | ${/LicenseRef-x cannot be judged/}
    ${'GPL-3.0-only OR LicenseRef-x'}   | ${PERMISSIVE} | ${/LicenseRef-x/}
    ${'LicenseRef-x'}                   | ${{ deny: ['GPL-3.0-only'] }} | ${/cannot be judged/}
  `('$expression', ({ expression, lists, reason }) => {
    const v = judgeExpression(expression, lists);
    expect(v.kind).toBe('unknown');
    if (v.kind === 'unknown') expect(v.reason).toMatch(reason);
  });

  it('a clause with a licence outside the allow list fails even beside a LicenseRef', () => {
    expect(judgeExpression('GPL-3.0-only AND LicenseRef-x', PERMISSIVE)).toMatchObject({ kind: 'denied', offending: ['GPL-3.0-only'] });
  });
});

describe('judgeLicences: several entries all apply', () => {
  it.each`
    licences                        | kind
    ${['MIT']}                      | ${'allowed'}
    ${['MIT', 'MIT']}               | ${'allowed'}
    ${['MIT', 'ISC']}               | ${'allowed'}
    ${['MIT', 'GPL-3.0-only']}      | ${'denied'}
    ${['BSD', 'GPL-3.0-only']}      | ${'denied'}
    ${['MIT', 'BSD']}               | ${'unknown'}
    ${[]}                           | ${'unknown'}
    ${undefined}                    | ${'unknown'}
    ${['  ']}                       | ${'unknown'}
  `('$licences → $kind', ({ licences, kind }) => {
    expect(judgeLicences(licences, PERMISSIVE).kind).toBe(kind);
  });

  it('says when there is no licence data', () => {
    expect(judgeLicences(undefined, PERMISSIVE)).toEqual({ kind: 'unknown', reason: 'no licence data' });
  });
});

describe('checkListEntry', () => {
  it.each`
    entry                               | ok
    ${'MIT'}                            | ${true}
    ${'GPL-2.0-or-later'}               | ${true}
    ${'GPL-2.0+'}                       | ${true}
    ${'Apache-2.0 WITH LLVM-exception'} | ${true}
    ${'LicenseRef-Acme'}                | ${true}
    ${'BSD'}                            | ${false}
    ${'mit'}                            | ${false}
    ${'MIT OR ISC'}                     | ${false}
    ${'Apache-2.0 WITH Nonsense-exc'}   | ${false}
  `('$entry → $ok', ({ entry, ok }) => {
    expect(checkListEntry(entry) === undefined).toBe(ok);
  });
});
