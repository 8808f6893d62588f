import { describe, expect, it } from 'vitest';
import { VouchError } from '../model/errors.js';
import { PortfolioError } from '../portfolio/errors.js';
import { PROBLEMS, ProblemError, jsonPathOf, problemOf, problemType, validationErrors } from './problem.js';

describe('problem+json', () => {
  it('writes Ajv instance paths as JSON paths', () => {
    expect(jsonPathOf('')).toBe('$');
    expect(jsonPathOf('/projects/0')).toBe('$.projects[0]');
    expect(jsonPathOf('/a b/x~1y/z~0')).toBe('$["a b"]["x/y"]["z~"]');
  });

  it('names the missing or unknown property itself, with the part of the request', () => {
    const errs = validationErrors('body', [
      { instancePath: '', keyword: 'required', params: { missingProperty: 'role' }, message: "must have required property 'role'" },
      { instancePath: '/projects/1', keyword: 'type', params: {}, message: 'must be string' },
      { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'colour' }, message: 'must NOT have additional properties' },
    ]);
    expect(errs).toEqual([
      { path: 'body $.role', message: "must have required property 'role'" },
      { path: 'body $.projects[1]', message: 'must be string' },
      { path: 'body $.colour', message: 'is not a known property' },
    ]);
  });

  it('keeps a stable type and title per slug, and the status they stand for', () => {
    const { problem } = problemOf(new ProblemError('forbidden', 'a viewer token may not POST /x'));
    expect(problem).toEqual({ type: 'urn:vouch:problem:forbidden', title: PROBLEMS.forbidden.title, status: 403, detail: 'a viewer token may not POST /x' });
    expect(problemType('not-found')).toBe('urn:vouch:problem:not-found');
  });

  it('answers a document error with the file, line and JSON path the CLI prints', () => {
    const { problem } = problemOf(new VouchError('INPUT_PARSE', 'expected a string', { path: 'bom.cdx.json', position: { line: 12, jsonPath: '$.components[3].version' } }));
    expect(problem).toMatchObject({ status: 422, type: 'urn:vouch:problem:invalid-document', file: 'bom.cdx.json', line: 12, pointer: '$.components[3].version' });
    expect(problem.detail).toBe('bom.cdx.json:12 ($.components[3].version): expected a string');
  });

  it('maps the portfolio\'s refusals by kind', () => {
    expect(problemOf(new PortfolioError('conflict', 'a project named "x" exists')).problem.status).toBe(409);
    expect(problemOf(new PortfolioError('invalid', 'bad cursor')).problem.status).toBe(400);
    expect(problemOf(new PortfolioError('not_found', 'no such')).problem.status).toBe(404);
  });

  it('says nothing of an internal error\'s cause', () => {
    const r = problemOf(new TypeError('cannot read properties of undefined (reading secret_column)'));
    expect(r.internal).toBe(true);
    expect(r.problem.status).toBe(500);
    expect(JSON.stringify(r.problem)).not.toMatch(/secret_column/);
  });

  it('answers Fastify\'s body-too-large error as 413', () => {
    const e = Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(problemOf(e).problem).toMatchObject({ status: 413, type: 'urn:vouch:problem:payload-too-large' });
  });
});
