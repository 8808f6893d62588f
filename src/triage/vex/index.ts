/** VEX: read OpenVEX and CycloneDX VEX, match statements to findings, write OpenVEX. See docs/vex.md. */
export * from './types.js';
export { readVexFile, readVexFiles, parseVex, MAX_VEX_BYTES } from './read.js';
export { readOpenVex, isOpenVex, OPENVEX_CONTEXT } from './openvex.js';
export { readCycloneDxVexJson, readCycloneDxVexXml, isCycloneDxJson, CDX_STATE_MAP, CDX_JUSTIFICATION_MAP } from './cyclonedx.js';
export { vexFor, matchingStatements, explainVex, type VexFinding, type VexMatch } from './match.js';
export { discoverVexFiles, isVexFileName } from './discover.js';
export { purlCovers, purlKey } from '../purl-match.js';
export { buildStatement, createDocument, appendStatement, documentId, type StatementInput, type OpenVexStatementJson, type OpenVexDocumentJson } from './create.js';
export { loadVex, vexSuppressor, type LoadedVex } from './load.js';
