/** InputFile implementations: a file on disk, or bytes already in memory (archives, tests). */
import { readFile, stat } from 'node:fs/promises';
import { VouchError } from '../model/errors.js';
import type { InputFile } from '../model/inventory.js';

/** Largest single input file vouch reads into memory (lockfiles and SBOMs are far smaller). */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

export async function fileInput(path: string): Promise<InputFile> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new VouchError('INPUT_UNSUPPORTED', 'not a regular file', { path });
    size = st.size;
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      path,
      cause: e,
    });
  }
  if (size > MAX_INPUT_BYTES) {
    throw new VouchError('INPUT_TOO_LARGE', `file is ${size} bytes, over the ${MAX_INPUT_BYTES}-byte limit`, { path });
  }
  return {
    path,
    size,
    read: async () => {
      try {
        return await readFile(path);
      } catch (e) {
        throw new VouchError('INPUT_MISSING', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
          path,
          cause: e,
        });
      }
    },
  };
}

export function memoryInput(path: string, content: string | Buffer): InputFile {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { path, size: buf.length, read: async () => buf };
}
