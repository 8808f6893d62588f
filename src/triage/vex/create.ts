/**
 * Writing OpenVEX 0.2.0: one statement from the `vex create` options, a new document around it, or
 * the statement appended to an existing document (version bumped, last_updated set). Pure: the
 * CLI reads and writes the files.
 */
import { createHash } from 'node:crypto';
import { VouchError } from '../../model/errors.js';
import { InvalidPurlError, parsePurl } from '../../model/purl.js';
import { decodeText, isJsonObject, jsonTypeName, parseJsonInput } from '../../io/json.js';
import { OPENVEX_CONTEXT, readOpenVex } from './openvex.js';
import { OPENVEX_JUSTIFICATIONS, OPENVEX_STATUSES, type OpenVexStatus } from './types.js';
import { splitPurl } from '../purl-match.js';
import { readRegularFile } from '../../io/input.js';

export interface StatementInput {
  vulnerability: string;
  aliases?: string[];
  products: string[];
  subcomponents?: string[];
  status: string;
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
}

/** An OpenVEX 0.2.0 statement as written to JSON. */
export interface OpenVexStatementJson {
  vulnerability: { name: string; aliases?: string[] };
  timestamp: string;
  products: { '@id': string; subcomponents?: { '@id': string }[] }[];
  status: OpenVexStatus;
  justification?: string;
  impact_statement?: string;
  action_statement?: string;
}

export interface OpenVexDocumentJson {
  '@context': string;
  '@id': string;
  author: string;
  role?: string;
  timestamp: string;
  last_updated?: string;
  version: number;
  tooling?: string;
  statements: Record<string, unknown>[];
}

const usage = (msg: string): VouchError => new VouchError('USAGE', msg);

/**
 * Validates the options against the OpenVEX rules and builds the statement:
 * not_affected needs a justification (OpenVEX list) or an impact statement and takes no action
 * statement; affected needs an action statement and takes no justification or impact statement;
 * fixed and under_investigation take none of the three.
 */
export function buildStatement(input: StatementInput, timestamp: string): OpenVexStatementJson {
  const vuln = input.vulnerability.trim();
  if (!vuln || /\s/.test(vuln)) throw usage(`--vuln must be one vulnerability id such as CVE-2021-44228 (got "${input.vulnerability}")`);
  if (!(OPENVEX_STATUSES as readonly string[]).includes(input.status)) {
    throw usage(`invalid --status "${input.status}" (allowed: ${OPENVEX_STATUSES.join(', ')})`);
  }
  const status = input.status as OpenVexStatus;
  if (input.products.length === 0) throw usage('at least one --product PURL is required');
  for (const p of [...input.products, ...(input.subcomponents ?? [])]) checkPurl(p);
  const justification = input.justification?.trim() || undefined;
  const impact = input.impactStatement?.trim() || undefined;
  const action = input.actionStatement?.trim() || undefined;
  if (justification !== undefined && !(OPENVEX_JUSTIFICATIONS as readonly string[]).includes(justification)) {
    throw usage(`invalid --justification "${justification}" (allowed: ${OPENVEX_JUSTIFICATIONS.join(', ')})`);
  }
  if (status === 'not_affected') {
    if (!justification && !impact) {
      throw usage(`--status not_affected needs --justification (one of ${OPENVEX_JUSTIFICATIONS.join(', ')}) or --impact-statement`);
    }
    if (action) throw usage('--action-statement is for --status affected, not not_affected');
  } else {
    if (justification) throw usage(`--justification is only for --status not_affected (got --status ${status})`);
    if (impact) throw usage(`--impact-statement is only for --status not_affected (got --status ${status})`);
    if (status === 'affected' && !action) throw usage('--status affected needs --action-statement (what to do about it)');
    if (status !== 'affected' && action) throw usage(`--action-statement is only for --status affected (got --status ${status})`);
  }
  const aliases = [...new Set((input.aliases ?? []).map((a) => a.trim()).filter((a) => a && a !== vuln))];
  const subs = [...new Set(input.subcomponents ?? [])];
  return {
    vulnerability: { name: vuln, ...(aliases.length ? { aliases } : {}) },
    timestamp,
    products: [...new Set(input.products)].map((p) => ({ '@id': p, ...(subs.length ? { subcomponents: subs.map((s) => ({ '@id': s })) } : {}) })),
    status,
    ...(justification ? { justification } : {}),
    ...(impact ? { impact_statement: impact } : {}),
    ...(action ? { action_statement: action } : {}),
  };
}

function checkPurl(p: string): void {
  if (!/^pkg:/i.test(p)) throw usage(`--product and --subcomponent take a purl such as pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 (got "${p}")`);
  try {
    parsePurl(p);
  } catch (e) {
    if (!(e instanceof InvalidPurlError)) throw e;
    // accept what splits cleanly, as the VEX matcher does (purl-match.ts)
    if (!splitPurl(p)) throw usage(e.message);
  }
}

/** The document `@id`: https://openvex.dev/docs/public/vex-<sha256 of the canonical content>. */
export function documentId(doc: Omit<OpenVexDocumentJson, '@id'>): string {
  const h = createHash('sha256').update(JSON.stringify(doc)).digest('hex');
  return `https://openvex.dev/docs/public/vex-${h}`;
}

/** A new OpenVEX 0.2.0 document holding one statement. The id is a hash of the content: same input, same id. */
export function createDocument(statement: OpenVexStatementJson, opts: { author: string; timestamp: string; tooling?: string }): OpenVexDocumentJson {
  const body = {
    '@context': OPENVEX_CONTEXT,
    author: opts.author,
    timestamp: opts.timestamp,
    version: 1,
    ...(opts.tooling ? { tooling: opts.tooling } : {}),
    statements: [statement as unknown as Record<string, unknown>],
  };
  const { '@context': context, ...rest } = body;
  return { '@context': context, '@id': documentId(body), ...rest };
}

/**
 * The existing OpenVEX 0.2.x document with the statement added: `version` + 1, `last_updated` set,
 * everything else kept as written. Throws INPUT_PARSE (naming `path`) for a document it cannot extend.
 */
export function appendStatement(existing: unknown, statement: OpenVexStatementJson, timestamp: string, path: string): Record<string, unknown> {
  const fail = (jsonPath: string, msg: string): VouchError => new VouchError('INPUT_PARSE', msg, { path, position: { jsonPath } });
  if (!isJsonObject(existing)) throw fail('$', `expected an OpenVEX document (an object), found ${jsonTypeName(existing)}`);
  const ctx = existing['@context'];
  if (typeof ctx !== 'string' || !/^https?:\/\/openvex\.dev\/ns\/v0\.2\.\d+$/.test(ctx)) {
    throw fail('$["@context"]', `--append extends OpenVEX 0.2.x documents (@context ${OPENVEX_CONTEXT}); this one has ${JSON.stringify(ctx)}`);
  }
  const statements = existing['statements'];
  if (!Array.isArray(statements)) throw fail('$.statements', `expected a list of statements, found ${jsonTypeName(statements)}`);
  const v = existing['version'];
  const version = typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  if (version === undefined) throw fail('$.version', `expected the document version (an integer >= 1), found ${JSON.stringify(v)}`);
  // keys stay where they were; a new last_updated goes after timestamp
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(existing)) {
    if (k === 'last_updated') continue;
    out[k] = k === 'version' ? version + 1 : k === 'statements' ? [...statements, statement] : val;
    if (k === 'timestamp') out['last_updated'] = timestamp;
  }
  out['last_updated'] = timestamp;
  return out;
}

/**
 * `vouch vex create` below the CLI: the statement built and checked, as a new document or appended
 * to the OpenVEX document at `append` (read here); what is returned reads back as OpenVEX.
 */
export async function createOrAppend(
  input: StatementInput,
  opts: { timestamp: string; author: string; tooling: string; append?: string },
): Promise<OpenVexDocumentJson> {
  const statement = buildStatement(input, opts.timestamp);
  let doc: unknown;
  if (opts.append !== undefined) {
    let text: string;
    try {
      text = decodeText(await readRegularFile(opts.append), opts.append);
    } catch (e) {
      if (e instanceof VouchError) throw e;
      throw new VouchError('INPUT_MISSING', `cannot read the VEX file to append to (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        path: opts.append,
        cause: e,
      });
    }
    doc = appendStatement(parseJsonInput(text, opts.append), statement, opts.timestamp, opts.append);
  } else {
    doc = createDocument(statement, { author: opts.author, timestamp: opts.timestamp, tooling: opts.tooling });
  }
  // what we write must read back
  readOpenVex(doc, opts.append ?? '<stdout>');
  return doc as OpenVexDocumentJson;
}
