import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';
import { fixer } from './fix.js';
import { PEP508_NAME } from './common.js';

export const pypi: Ecosystem = {
  osvName: 'PyPI',
  purlType: 'pypi',
  /** PEP 503: lower-case, runs of '-', '_' and '.' become one '-' */
  normalizeName: (name) => name.trim().toLowerCase().replace(/[-_.]+/g, '-'),
  isPackageName: (name) => PEP508_NAME.test(name),
  versioning,
  extractors,
  lockfileHints: [
    { manifest: 'pyproject.toml', lockfiles: ['poetry.lock', 'uv.lock', 'pdm.lock', 'pylock.toml', 'requirements.txt'], command: 'uv lock (poetry lock for a Poetry project)' },
    { manifest: 'Pipfile', lockfiles: ['Pipfile.lock'], command: 'pipenv lock' },
  ],
  fixer,
};
