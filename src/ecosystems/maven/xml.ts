/**
 * The small XML layer the Maven readers share (pom.xml, gradle/verification-metadata.xml):
 * fast-xml-parser, loaded on first use (scans that never read XML do not pay its start-up), every
 * element as an array, attributes as `@_name`, namespace prefixes dropped, and the 1-based line of
 * any element node.
 */
import { VouchError } from '../../model/errors.js';
import { decodeText } from '../../io/json.js';
import { type XmlDocument, type XmlNode, parseXmlDocument } from '../../io/xml.js';

export type { XmlDocument, XmlNode };

function isRecord(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Child elements named `name`; a text-only element becomes `{ '#text': value }`. */
export function kids(node: XmlNode | undefined, name: string): XmlNode[] {
  const v = node?.[name];
  if (!Array.isArray(v)) return [];
  return v.map((x: unknown) => (isRecord(x) ? x : { '#text': x }));
}

/** The first child element `name`. */
export function kid(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return kids(node, name)[0];
}

/** Trimmed text of the first child element `name` (undefined when absent or empty). */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  const k = kid(node, name);
  if (!k) return undefined;
  const t = k['#text'];
  if (typeof t !== 'string' && typeof t !== 'number') return undefined;
  const s = String(t).trim();
  return s === '' ? undefined : s;
}

/** An attribute's value (undefined when absent). */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** The element names under `node` (text and attributes excluded), in document order. */
export function childNames(node: XmlNode): string[] {
  return Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text' && k !== '?xml');
}

/**
 * Bytes → text, honouring the XML declaration's encoding for the single-byte Latin encodings
 * (ISO-8859-1 / Windows-1252 poms exist); UTF-16 with a BOM and UTF-8 otherwise (decodeText).
 */
export function decodeXml(buf: Buffer, path: string): string {
  // UTF-16 (with its BOM) and UTF-8 are decodeText's; only the Latin encodings are read here
  const head = buf.subarray(0, 200).toString('latin1');
  const enc = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  if (enc && /^(iso-8859-1|iso8859-1|latin-?1|l1|windows-1252|cp1252|us-ascii|ascii)$/.test(enc)) {
    if (buf.subarray(0, 8192).includes(0)) {
      throw new VouchError('INPUT_PARSE', 'binary data where text was expected', { path });
    }
    return buf.toString('latin1');
  }
  return decodeText(buf, path);
}

/** Validates and parses XML (io/xml.ts), namespace prefixes dropped; a syntax error is INPUT_PARSE with the line. */
export function parseXml(text: string, path: string): XmlDocument {
  return parseXmlDocument(text, path, { stripPrefix: 'any' });
}
