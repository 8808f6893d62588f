/**
 * The one guard every XML reader runs first (pom.xml, CycloneDX XML and VEX, MSBuild files,
 * Gradle's verification-metadata.xml): a document type declaring entities is refused with one line.
 * None of these formats uses a DTD; an entity is how an XML file makes its reader fetch a host file
 * or URL (XXE) or expand a few bytes into gigabytes ("billion laughs"). vouch never expands one —
 * not even within the parser's limits — so what a reader sees is what the file says. The five
 * predefined entities (`&lt;` …) and character references are not declarations and stay as they are.
 */
import { VouchError } from '../model/errors.js';
import { xmlLib } from './libs.js';
import { LineIndex, lineAt } from './lines.js';

export function refuseXmlEntities(text: string, path: string): void {
  const at = text.search(/<!ENTITY/i);
  if (at < 0) return;
  throw new VouchError('INPUT_UNSAFE', 'XML entity declarations are not read (a DTD with <!ENTITY: vouch never expands or fetches entities)', {
    path,
    position: { line: lineAt(text, at) },
  });
}

export type XmlNode = Record<string, unknown>;

export interface XmlDocument {
  /** The document node: its keys are the top-level element names. */
  readonly root: XmlNode;
  /** 1-based line of an element's opening tag, when known. */
  lineOf(node: XmlNode): number | undefined;
}

/**
 * The one way vouch parses XML: entities refused (above), the document validated (a syntax error is
 * INPUT_PARSE with its line), then every element as an array, attributes as `@_name`, values as
 * text, nesting bounded. `stripPrefix`: a namespace prefix dropped from tag names — one given
 * prefix (`cdx:`), or `any` (the part before any colon).
 */
export function parseXmlDocument(text: string, path: string, opts: { stripPrefix?: string | 'any' } = {}): XmlDocument {
  refuseXmlEntities(text, path);
  const { XMLParser, XMLValidator } = xmlLib();
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new VouchError('INPUT_PARSE', `not valid XML: ${valid.err.msg}`, { path, position: { line: valid.err.line } });
  const prefix = opts.stripPrefix;
  const transformTagName =
    prefix === undefined
      ? undefined
      : prefix === 'any'
        ? (n: string) => {
            const i = n.indexOf(':');
            return i < 0 ? n : n.slice(i + 1);
          }
        : (n: string) => (n.startsWith(prefix) ? n.slice(prefix.length) : n);
  let parsed: unknown;
  try {
    parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      captureMetaData: true,
      isArray: (_name, _jpath, _leaf, isAttribute) => !isAttribute,
      ...(transformTagName ? { transformTagName } : {}),
      maxNestedTags: 1000,
      jPath: false, // callbacks get a matcher instead of a built path string: several times faster on big BOMs
    }).parse(text);
  } catch (e) {
    // the parser's own limits (nesting) throw plain Errors: the input's fault, one line
    throw new VouchError('INPUT_PARSE', `not valid XML: ${(e as Error).message}`, { path, cause: e });
  }
  const root: XmlNode = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as XmlNode) : {};
  const sym = XMLParser.getMetaDataSymbol() as unknown as symbol;
  let lines: LineIndex | undefined;
  return {
    root,
    lineOf(node) {
      const meta = (node as Record<symbol, unknown>)[sym];
      const start = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)['startIndex'] : undefined;
      if (typeof start !== 'number') return undefined;
      lines ??= new LineIndex(text);
      return lines.lineOf(start);
    },
  };
}
