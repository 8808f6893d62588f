/**
 * NuGet central package management: `Directory.Packages.props` (and `Packages.props`, its older
 * name) pins versions for every project below it.
 *
 * ```xml
 * <Project>
 *   <ItemGroup>
 *     <PackageVersion Include="Newtonsoft.Json" Version="13.0.3" />
 *     <GlobalPackageReference Include="Nerdbank.GitVersioning" Version="3.6.133" />
 *   </ItemGroup>
 * </Project>
 * ```
 *
 * Read by the same MSBuild reader as project files (./csproj.ts): `PackageVersion`,
 * `GlobalPackageReference` and `PackageReference` items, with the same version rules (plain or
 * exact `[x]` versions pin; floating, ranges, properties and missing versions are `unresolved`).
 * Each pinned package is a component linked from `root:<file>` and marked direct: the file
 * declares it for the projects it governs (a project need not reference every one; the
 * projects' own files and lockfiles say which it does).
 */
import type { InputFile, Inventory } from '../../model/inventory.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { parseMsbuildPackages } from './csproj.js';

const ID = 'nuget/directory-packages-props';
const NAMES = new Set(['directory.packages.props', 'packages.props']);

export const directoryPackagesPropsExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['Directory.Packages.props', 'Packages.props'],

  wants(p: string): boolean {
    const slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return NAMES.has(p.slice(slash + 1).toLowerCase());
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parseMsbuildPackages(decodeText(await input.read(), input.path), input.path, ID);
  },
};
