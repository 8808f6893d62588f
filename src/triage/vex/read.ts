/** Reads a VEX file of either format: OpenVEX JSON, CycloneDX VEX JSON or XML (sniffed from the content). */
import { stat } from 'node:fs/promises';
import { VouchError } from '../../model/errors.js';
import { decodeText, isJsonObject, parseJsonInput } from '../../io/json.js';
import { isCycloneDxJson, readCycloneDxVexJson, readCycloneDxVexXml } from './cyclonedx.js';
import { isOpenVex, readOpenVex } from './openvex.js';
import type { VexDocument, VexStatement } from './types.js';
import { readRegularFile } from '../../io/input.js';

/** VEX files larger than this are refused (a VEX document is a list of statements, not a database). */
export const MAX_VEX_BYTES = 64 * 1024 * 1024;

/** Parses VEX text; `path` names the file in errors and statement sources. */
export function parseVex(text: string, path: string): VexDocument {
  const head = text.trimStart();
  if (head.startsWith('<')) return readCycloneDxVexXml(text, path);
  if (!head.startsWith('{')) {
    throw new VouchError('INPUT_UNSUPPORTED', 'not a VEX document: expected OpenVEX JSON or CycloneDX VEX (JSON or XML)', { path });
  }
  const doc = parseJsonInput(text, path);
  if (isOpenVex(doc)) return readOpenVex(doc, path);
  if (isCycloneDxJson(doc)) return readCycloneDxVexJson(doc, path);
  if (isJsonObject(doc) && isJsonObject(doc['document']) && typeof (doc['document'] as Record<string, unknown>)['csaf_version'] === 'string') {
    throw new VouchError('INPUT_UNSUPPORTED', 'CSAF VEX is not supported; convert it to OpenVEX (e.g. vexctl) first', { path });
  }
  throw new VouchError(
    'INPUT_UNSUPPORTED',
    'not a VEX document: neither an OpenVEX @context (https://openvex.dev/ns...) nor a CycloneDX BOM (bomFormat "CycloneDX")',
    { path },
  );
}

/** Reads and parses one VEX file. Missing files are INPUT_MISSING; bad content INPUT_PARSE / INPUT_UNSUPPORTED. */
export async function readVexFile(path: string): Promise<VexDocument> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new VouchError('INPUT_UNSUPPORTED', 'a VEX document must be a file', { path });
    size = st.size;
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read the VEX file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path, cause: e });
  }
  if (size > MAX_VEX_BYTES) throw new VouchError('INPUT_TOO_LARGE', `VEX file larger than ${MAX_VEX_BYTES / 1024 / 1024} MiB`, { path });
  let buf: Buffer;
  try {
    buf = await readRegularFile(path, { maxBytes: MAX_VEX_BYTES });
  } catch (e) {
    if (e instanceof VouchError) throw e;
    throw new VouchError('INPUT_MISSING', `cannot read the VEX file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path, cause: e });
  }
  return parseVex(decodeText(buf, path), path);
}

/** Reads several VEX files in order; their statements in one list (file order, then document order). */
export async function readVexFiles(paths: readonly string[]): Promise<{ documents: VexDocument[]; statements: VexStatement[] }> {
  const documents: VexDocument[] = [];
  for (const p of paths) documents.push(await readVexFile(p));
  return { documents, statements: documents.flatMap((d) => d.statements) };
}
