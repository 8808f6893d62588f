/** Test helper: the VouchError a promise rejects with (the test fails when it resolves, or rejects with anything else). */
import { expect } from 'vitest';
import { VouchError } from '../model/errors.js';

export async function vouchFailure(p: Promise<unknown>): Promise<VouchError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VouchError);
    return e as VouchError;
  }
  throw new Error('expected a VouchError');
}
