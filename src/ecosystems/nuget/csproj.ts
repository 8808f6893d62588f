/**
 * NuGet dependencies declared in MSBuild project files: `PackageReference` items of `*.csproj`
 * (and `*.fsproj` / `*.vbproj`, the same format). The shared reader here also serves
 * `Directory.Packages.props` (central package management, ./directory-packages-props.ts).
 *
 * ```xml
 * <PackageReference Include="LiteDB" Version="5.0.12" />
 * <PackageReference Include="Serilog"><Version>[3.0.1]</Version></PackageReference>
 * <PackageVersion Include="Newtonsoft.Json" Version="13.0.3" />          <!-- Directory.Packages.props -->
 * ```
 *
 * - The file must be well-formed XML whose root element is `<Project>`; otherwise INPUT_PARSE
 *   (with the line the XML validator names) or INPUT_UNSUPPORTED.
 * - Items are read in one pass over the text (comments and CDATA blanked first, lines kept):
 *   `Include` (or `Update`, which sets metadata on an item included elsewhere) names the package,
 *   `VersionOverride` beats `Version`; either may be an attribute or a child element.
 * - A version pins the package when it is a plain NuGet version (`5.0.12`, which NuGet resolves
 *   to that version when it exists, as osv-scalibr reads it too) or an exact range `[5.0.12]`.
 *   Floating versions (`5.*`), other ranges (`[1.0,2.0)`), MSBuild properties (`$(LiteDbVersion)`)
 *   and a missing or empty version go to `unresolved`, never guessed.
 * - Every item is direct (an edge from `root:<file>`).
 *   Scope is prod, or dev when `PrivateAssets="all"` (the package does not flow to consumers:
 *   analyzers, build tools). `Condition` attributes are not evaluated.
 */
import { xmlLib } from '../../io/libs.js';
import type { Component, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText } from '../../io/json.js';
import { LineIndex } from '../../io/lines.js';
import type { Extractor } from '../types.js';
import { versioning } from './versioning.js';
import { refuseXmlEntities } from '../../io/xml.js';

const ECOSYSTEM = 'NuGet';
const PROJECT_EXT = /\.(?:cs|fs|vb)proj$/i;

export const csprojExtractor: Extractor = {
  id: 'nuget/csproj',
  needs: { network: false, runsCode: false },
  parseAs: ['*.csproj', '*.fsproj', '*.vbproj'],

  wants(p: string): boolean {
    return PROJECT_EXT.test(p);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parseMsbuildPackages(decodeText(await input.read(), input.path), input.path, 'nuget/csproj');
  },
};

/** The item types that name NuGet packages. */
const ITEM = /<(PackageReference|PackageVersion|GlobalPackageReference)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
const ATTR = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

/** Comments, CDATA and processing instructions become spaces (newlines kept, so lines stay right). */
function blankNonMarkup(text: string): string {
  return text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** What a version string pins: the exact version, or undefined with the reason. */
export function pinnedVersion(spec: string): { version: string } | { reason: string } {
  const v = spec.trim();
  if (v === '') return { reason: 'empty version' };
  if (v.includes('$(')) return { reason: `version "${v}" is an MSBuild property, not evaluated` };
  if (v.includes('*')) return { reason: `floating version "${v}"` };
  const exact = /^\[\s*([^,\s\]]+)\s*\]$/.exec(v);
  const candidate = exact ? exact[1]! : v;
  if (/[[\](),]/.test(candidate)) return { reason: `version range "${v}"` };
  if (versioning.parse(candidate) === undefined) return { reason: `"${v}" is not a NuGet version` };
  return { version: candidate };
}

/** Reads package items of an MSBuild file (a project or Directory.Packages.props). */
export function parseMsbuildPackages(text: string, file: string, extractor: string): Inventory {
  refuseXmlEntities(text, file);
  const valid = xmlLib().XMLValidator.validate(text);
  if (valid !== true) {
    throw new VouchError('INPUT_PARSE', `not well-formed XML: ${valid.err.msg}`, {
      path: file,
      ...(valid.err.line ? { position: { line: valid.err.line } } : {}),
    });
  }
  const body = blankNonMarkup(text);
  const rootTag = /<([A-Za-z_][\w.:-]*)/.exec(body);
  if (rootTag?.[1] !== 'Project') {
    throw new VouchError('INPUT_UNSUPPORTED', `not an MSBuild file: the root element is <${rootTag?.[1] ?? '?'}>, not <Project>`, {
      path: file,
    });
  }

  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  graph.addRoot(rootId, file);

  const lines = new LineIndex(body);
  ITEM.lastIndex = 0;
  for (let m = ITEM.exec(body); m !== null; m = ITEM.exec(body)) {
    const line = lines.lineOf(m.index);
    const tag = m[1]!;
    const attrs = new Map<string, string>();
    ATTR.lastIndex = 0;
    for (let a = ATTR.exec(m[2]!); a !== null; a = ATTR.exec(m[2]!)) attrs.set(a[1]!, unescapeXml(a[2] ?? a[3] ?? ''));
    // child elements of a non-empty item: <Version>, <VersionOverride>, <PrivateAssets>
    if (m[3] !== '/') {
      const close = body.indexOf(`</${tag}`, ITEM.lastIndex);
      const inner = close < 0 ? '' : body.slice(ITEM.lastIndex, close);
      for (const child of ['Version', 'VersionOverride', 'PrivateAssets']) {
        const c = new RegExp(`<${child}\\s*>([^<]*)</${child}\\s*>`).exec(inner);
        if (c && !attrs.has(child)) attrs.set(child, unescapeXml(c[1]!));
      }
    }
    if (attrs.has('Remove') && !attrs.has('Include')) continue;
    const include = (attrs.get('Include') ?? attrs.get('Update') ?? '').trim();
    if (include === '') {
      warnings.push(`line ${line}: <${tag}> without a package name (Include); skipped`);
      continue;
    }
    const spec = attrs.get('VersionOverride') ?? attrs.get('Version');
    const scope: Scope = /(?:^|;)\s*all\s*(?:;|$)/i.test(attrs.get('PrivateAssets') ?? '') ? 'dev' : 'prod';
    for (const name of include.split(';').map((s) => s.trim()).filter(Boolean)) {
      if (name.includes('$(') || name.includes('@(')) {
        warnings.push(`line ${line}: <${tag} Include="${name}">: an MSBuild expression, not evaluated; skipped`);
        continue;
      }
      if (spec === undefined) {
        unresolved.push({
          name,
          ecosystem: ECOSYSTEM,
          line,
          reason: tag === 'PackageReference' ? 'no version (with central package management, Directory.Packages.props holds it)' : 'no version',
        });
        continue;
      }
      const pin = pinnedVersion(spec);
      if ('reason' in pin) {
        unresolved.push({ name, ecosystem: ECOSYSTEM, spec, line, reason: pin.reason });
        continue;
      }
      let purl: string;
      try {
        purl = buildPurl({ type: 'nuget', name, version: pin.version });
      } catch (e) {
        warnings.push(`line ${line}: ${name}@${pin.version}: ${(e as Error).message}; skipped`);
        continue;
      }
      const c: Component = {
        purl,
        ecosystem: ECOSYSTEM,
        name,
        version: pin.version,
        scope,
        direct: true,
        locations: [{ path: file, line }],
      };
      graph.add(c);
      graph.addEdge(rootId, purl);
    }
  }
  return { source: { path: file, extractor }, graph, unresolved, warnings };
}
