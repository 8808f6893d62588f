import { describe, expect, it } from 'vitest';
import { findString, setString, upsertString } from './json-edit.js';

const PKG = `{
    "name": "demo",
    "dependencies": {
        "mkdirp": "0.5.1",
        "lodash": "^4.17.4"
    },
    "scripts": { "test": "x \\"quoted\\" }" }
}
`;

describe('minimal JSON edits', () => {
  it('changes one value and nothing else', () => {
    const out = setString(PKG, ['dependencies', 'mkdirp'], '0.5.2', 'package.json');
    expect(out).toBe(PKG.replace('"0.5.1"', '"0.5.2"'));
    expect(findString(out, ['dependencies', 'mkdirp'])).toEqual({ value: '0.5.2', line: 4 });
  });

  it('adds an overrides object after the last member with the file own indentation', () => {
    const out = upsertString(PKG, ['overrides', 'minimist'], '0.2.4', 'package.json');
    expect(out).toBe(PKG.replace('}" }\n}', '}" },\n    "overrides": {\n        "minimist": "0.2.4"\n    }\n}'));
    expect(JSON.parse(out)).toMatchObject({ overrides: { minimist: '0.2.4' }, dependencies: { mkdirp: '0.5.1' } });
  });

  it('adds a member to an existing object and keeps CRLF line endings', () => {
    const crlf = '{\r\n  "overrides": {\r\n    "a": "1.0.0"\r\n  }\r\n}\r\n';
    expect(upsertString(crlf, ['overrides', 'b'], '2.0.0', 'p')).toBe('{\r\n  "overrides": {\r\n    "a": "1.0.0",\r\n    "b": "2.0.0"\r\n  }\r\n}\r\n');
  });

  it('fills an empty object', () => {
    expect(upsertString('{\n  "overrides": {}\n}\n', ['overrides', 'b'], '2.0.0', 'p')).toBe('{\n  "overrides": {\n    "b": "2.0.0"\n  }\n}\n');
  });

  it('names the JSON path when the value is missing', () => {
    expect(() => setString(PKG, ['dependencies', 'nope'], '1', 'package.json')).toThrow(/no string value/);
  });
});

describe('nested upserts', () => {
  it('creates nested objects for a scoped override', () => {
    expect(upsertString('{\n  "name": "x"\n}\n', ['overrides', 'optimist', 'minimist'], '0.2.4', 'p')).toBe(
      '{\n  "name": "x",\n  "overrides": {\n    "optimist": {\n      "minimist": "0.2.4"\n    }\n  }\n}\n',
    );
  });
  it('refuses to turn a string member into an object', () => {
    expect(() => upsertString('{"overrides": {"optimist": "1.0.0"}}', ['overrides', 'optimist', 'minimist'], '0.2.4', 'p')).toThrow(/overrides.optimist is already set/);
  });
});
