import type { Ecosystem } from '../types.js';
import { versioning } from './versioning.js';
import { extractors } from './extractors.js';

export const nuget: Ecosystem = {
  osvName: 'NuGet',
  purlType: 'nuget',
  /** NuGet ids are case-insensitive: lower-case */
  normalizeName: (name) => name.trim().toLowerCase(),
  versioning,
  extractors,
  lockfileHints: [{ manifest: '*.csproj', lockfiles: ['packages.lock.json'], command: 'dotnet restore --use-lock-file' }],
};
