/**
 * The one guard every XML reader runs first (pom.xml, CycloneDX XML and VEX, MSBuild files,
 * Gradle's verification-metadata.xml): a document type declaring entities is refused with one line.
 * None of these formats uses a DTD; an entity is how an XML file makes its reader fetch a host file
 * or URL (XXE) or expand a few bytes into gigabytes ("billion laughs"). vouch never expands one —
 * not even within the parser's limits — so what a reader sees is what the file says. The five
 * predefined entities (`&lt;` …) and character references are not declarations and stay as they are.
 */
import { VouchError } from '../model/errors.js';
import { lineAt } from './lines.js';

export function refuseXmlEntities(text: string, path: string): void {
  const at = text.search(/<!ENTITY/i);
  if (at < 0) return;
  throw new VouchError('INPUT_UNSAFE', 'XML entity declarations are not read (a DTD with <!ENTITY: vouch never expands or fetches entities)', {
    path,
    position: { line: lineAt(text, at) },
  });
}
