// What bench/portfolio.mjs uses of the portfolio, bundled by it with esbuild (the CLI bundle does not export these).
export { openDb, migrate, bulkInsert } from '../src/db/index.js';
export { submitDocument, processUpload } from '../src/portfolio/ingest.js';
export { affected, componentsUsing } from '../src/portfolio/queries.js';
export { refreshAndRematch } from '../src/portfolio/rematch.js';
export { createProject } from '../src/portfolio/projects.js';
export { updateStore } from '../src/advisories/import.js';
export { AdvisoryStore } from '../src/advisories/store.js';
export { storeContext } from '../src/engine/scan.js';
export { collectInventory } from '../src/inventory/collect.js';
export { ecosystemByOsvName, purlOf } from '../src/ecosystems/index.js';
export { openZip } from '../src/io/zip.js';
