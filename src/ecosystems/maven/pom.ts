/**
 * Maven `pom.xml`: the dependencies a project declares, resolved as far as the files on disk allow.
 *
 * - Components: `<dependencies>` of the project, of its parent POMs found on disk (Maven inherits
 *   them), and of its profiles. Build plugin dependencies are not the project's and are left out;
 *   `<dependencyManagement>` only supplies versions and scopes, it adds no dependency.
 * - Every declared dependency is direct (root → it): a pom records no transitive dependencies.
 *   Identity is `groupId:artifactId` and the version (type and classifier are not part of the purl,
 *   so `my-lib` and `my-lib:sources` are one component with two locations). The location is the
 *   `<dependency>` element's file and line (a parent's file for inherited ones).
 * - `${…}` interpolation: properties of the project and its parents (the child's win), of profiles
 *   active by default, `project.*` / `pom.*` (groupId, artifactId, version, packaging, name, and
 *   `project.parent.*`), with the effective (child's) model as Maven does after inheritance.
 * - Parents: `<relativePath>` (default `../pom.xml`; a folder means its pom.xml; empty means "not
 *   local"), read from disk relative to the file, only when that file is the declared parent
 *   (groupId and artifactId match, and the version when both are literal). A parent that is not on
 *   disk is listed in `unresolved`: what it may define (properties, managed versions,
 *   dependencies) is unknown, and nothing is guessed in its place.
 * - Not resolvable offline → `unresolved` with the reason, never guessed: a version that is missing
 *   (not managed by this pom or its parents on disk; imported BOMs are named in the reason), an
 *   undefined property, a version range (`[1.0,2.0)`: the version Maven picks depends on what the
 *   repository holds). `[1.0]` is an exact pin and reads as 1.0.
 * - Duplicate declarations of one groupId:artifactId:type:classifier: the first wins (as Maven's
 *   resolver picks the first at equal depth), with a warning when the versions differ; a child's
 *   declaration overrides its parent's.
 * - Scope: `test` → dev; `provided` and `system` → optional (on the classpath at run time but
 *   supplied by the container or the machine, whose own copy may differ from the one declared;
 *   weaker than prod, stronger than dev); `compile`, `runtime` or none → prod. Dependencies of a
 *   profile not active by default → optional (they are present only when the profile is on).
 */
import { stat } from '../../io/fs-async.js';
import { readBeside, resolveBeside } from '../../io/input.js';
import path from 'node:path';
import type { Component, Scope } from '../../model/component.js';
import { VouchError } from '../../model/errors.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import type { Extractor } from '../types.js';
import { versioning } from './versioning.js';
import { childNames, childText, decodeXml, kid, kids, parseXml, type XmlNode } from './xml.js';

const ID = 'maven/pom';
const ECOSYSTEM = 'Maven';
/** Parents followed at most (Maven has no limit; real chains are a handful deep). */
const MAX_PARENTS = 16;
/** `${a}` → `${b}` → … followed at most (a cycle stops here). */
const MAX_INTERPOLATION_DEPTH = 16;

export const pomExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['pom.xml'],

  wants(p: string): boolean {
    return baseName(p) === 'pom.xml';
  },

  sniff(head: string): boolean {
    return /<(?:\w+:)?project[\s>]/.test(head) && /maven\.apache\.org\/POM\/|<(?:\w+:)?modelVersion>/.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    const text = decodeXml(await input.read(), input.path);
    return parsePom(text, input.path, diskLoader(input));
  },
};

/** Reads a file on disk (a parent POM); undefined when there is none. */
export type PomLoader = (file: string) => Promise<Buffer | undefined>;

/**
 * Parents read inside the input's root (a relativePath naming a folder means its pom.xml);
 * absent → undefined. A FIFO, a device, a link out of the root or a file too large is that one
 * line, and the pom fails with it.
 */
function diskLoader(input?: InputFile): PomLoader {
  const at: InputFile = input ?? { path: '', size: 0, read: async () => Buffer.alloc(0) };
  return async (file) => {
    const real = await resolveBeside(at, file);
    if (real === undefined) return undefined;
    const st = await stat(real).catch(() => undefined);
    if (!st) return undefined;
    return readBeside(at, st.isDirectory() ? path.join(file, 'pom.xml') : file);
  };
}

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return p.slice(i + 1);
}

// ---------------------------------------------------------------------------------------------
// the model of one pom file

interface RawDep {
  groupId?: string | undefined;
  artifactId?: string | undefined;
  version?: string | undefined;
  scope?: string | undefined;
  type?: string | undefined;
  classifier?: string | undefined;
  /** The pom that declares it (display path) and the line of its `<dependency>`. */
  file: string;
  line?: number | undefined;
  /** Declared in a profile that is not active by default. */
  inactiveProfile?: string | undefined;
}

interface ParentRef {
  groupId?: string | undefined;
  artifactId?: string | undefined;
  version?: string | undefined;
  /** undefined = not written (default ../pom.xml); '' = `<relativePath/>`: no local lookup. */
  relativePath?: string | undefined;
  line?: number | undefined;
}

interface PomModel {
  file: string;
  groupId?: string | undefined;
  artifactId?: string | undefined;
  version?: string | undefined;
  packaging?: string | undefined;
  name?: string | undefined;
  parent?: ParentRef | undefined;
  properties: Map<string, string>;
  deps: RawDep[];
  managed: RawDep[];
}

/** Parses one pom's text into its model (no inheritance, no interpolation). */
function readModel(text: string, file: string): PomModel {
  const doc = parseXml(text, file);
  const project = kid(doc.root, 'project');
  if (!project) {
    const found = childNames(doc.root)[0];
    throw new VouchError(
      'INPUT_UNSUPPORTED',
      `not a Maven POM: the root element is ${found ? `<${found}>` : 'missing'}, not <project>`,
      { path: file },
    );
  }
  const model: PomModel = {
    file,
    groupId: childText(project, 'groupId'),
    artifactId: childText(project, 'artifactId'),
    version: childText(project, 'version'),
    packaging: childText(project, 'packaging'),
    name: childText(project, 'name'),
    properties: new Map(),
    deps: [],
    managed: [],
  };
  const parent = kid(project, 'parent');
  if (parent) {
    const rel = kid(parent, 'relativePath');
    model.parent = {
      groupId: childText(parent, 'groupId'),
      artifactId: childText(parent, 'artifactId'),
      version: childText(parent, 'version'),
      relativePath: rel ? (childText(parent, 'relativePath') ?? '') : undefined,
      line: doc.lineOf(parent),
    };
  }
  const depsOf = (node: XmlNode | undefined, inactiveProfile?: string): RawDep[] =>
    kids(kid(node, 'dependencies'), 'dependency').map((d) => ({
      groupId: childText(d, 'groupId'),
      artifactId: childText(d, 'artifactId'),
      version: childText(d, 'version'),
      scope: childText(d, 'scope'),
      type: childText(d, 'type'),
      classifier: childText(d, 'classifier'),
      file,
      line: doc.lineOf(d),
      inactiveProfile,
    }));
  readProperties(kid(project, 'properties'), model.properties);
  model.deps.push(...depsOf(project));
  model.managed.push(...depsOf(kid(project, 'dependencyManagement')));
  for (const profile of kids(kid(project, 'profiles'), 'profile')) {
    const active = childText(kid(profile, 'activation'), 'activeByDefault') === 'true';
    const id = childText(profile, 'id') ?? '(no id)';
    if (active) {
      readProperties(kid(profile, 'properties'), model.properties);
      model.deps.push(...depsOf(profile));
      model.managed.push(...depsOf(kid(profile, 'dependencyManagement')));
    } else {
      model.deps.push(...depsOf(profile, id));
    }
  }
  return model;
}

function readProperties(node: XmlNode | undefined, into: Map<string, string>): void {
  if (!node) return;
  for (const name of childNames(node)) {
    const v = childText(node, name);
    into.set(name, v ?? '');
  }
}

// ---------------------------------------------------------------------------------------------
// parents, interpolation, effective dependencies

interface MissingParent {
  ref: ParentRef;
  /** The pom that names it. */
  from: string;
  why: string;
}

async function loadParents(
  model: PomModel,
  loader: PomLoader,
): Promise<{ chain: PomModel[]; missing?: MissingParent; warnings: string[] }> {
  const chain = [model];
  const warnings: string[] = [];
  const seen = new Set([path.resolve(model.file)]);
  let cur = model;
  while (cur.parent) {
    const ref = cur.parent;
    const miss = (why: string): { chain: PomModel[]; missing: MissingParent; warnings: string[] } => ({
      chain,
      missing: { ref, from: cur.file, why },
      warnings,
    });
    if (cur.file.includes('!')) return miss('the pom is inside an archive: parents are not looked up');
    if (chain.length > MAX_PARENTS) return miss(`more than ${MAX_PARENTS} parent levels`);
    if (ref.relativePath === '') return miss('<relativePath/> is empty: Maven takes it from a repository');
    let candidate = path.join(path.dirname(cur.file), ref.relativePath ?? '../pom.xml');
    const buf = await loader(candidate);
    if (buf === undefined) return miss(`not found at ${candidate}`);
    if (!candidate.endsWith('.xml') && !candidate.endsWith('.pom')) candidate = path.join(candidate, 'pom.xml');
    const abs = path.resolve(candidate);
    if (seen.has(abs)) return miss(`${candidate} is already in the parent chain (a cycle)`);
    seen.add(abs);
    let parent: PomModel;
    try {
      parent = readModel(decodeXml(buf, candidate), candidate);
    } catch (e) {
      const msg = e instanceof VouchError ? e.oneLine() : (e as Error).message;
      return miss(`${candidate} could not be read (${msg})`);
    }
    const pg = parent.groupId ?? parent.parent?.groupId;
    const pv = parent.version ?? parent.parent?.version;
    if (pg !== ref.groupId || parent.artifactId !== ref.artifactId) {
      return miss(`${candidate} is ${pg ?? '?'}:${parent.artifactId ?? '?'}, not the declared parent`);
    }
    if (ref.version && pv && !ref.version.includes('${') && !pv.includes('${') && ref.version !== pv) {
      return miss(`${candidate} has version ${pv}, not ${ref.version}`);
    }
    chain.push(parent);
    cur = parent;
  }
  return { chain, warnings };
}

class Interpolator {
  private readonly props = new Map<string, string>();
  private readonly project = new Map<string, string>();

  constructor(chain: readonly PomModel[]) {
    // the farthest ancestor first, so that each child overrides
    for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of chain[i]!.properties) this.props.set(k, v);
    const m = chain[0]!;
    const set = (k: string, v: string | undefined): void => {
      if (v !== undefined) this.project.set(k, v);
    };
    set('groupId', m.groupId ?? m.parent?.groupId);
    set('artifactId', m.artifactId);
    set('version', m.version ?? m.parent?.version);
    set('packaging', m.packaging ?? 'jar');
    set('name', m.name);
    set('parent.groupId', m.parent?.groupId);
    set('parent.artifactId', m.parent?.artifactId);
    set('parent.version', m.parent?.version);
  }

  private lookup(name: string): string | undefined {
    const own = this.props.get(name);
    if (own !== undefined) return own;
    for (const prefix of ['project.', 'pom.']) {
      if (name.startsWith(prefix)) return this.project.get(name.slice(prefix.length));
    }
    // Maven 2's prefix-less aliases, still honoured
    if (name === 'version' || name === 'groupId' || name === 'artifactId') return this.project.get(name);
    return undefined;
  }

  /** The value with every `${…}` replaced; names that could not be resolved are added to `missing`. */
  interpolate(s: string | undefined, missing: Set<string>, depth = 0): string | undefined {
    if (s === undefined || !s.includes('${')) return s;
    return s.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      const v = depth < MAX_INTERPOLATION_DEPTH ? this.lookup(name) : undefined;
      if (v === undefined) {
        missing.add(name);
        return whole;
      }
      return this.interpolate(v, missing, depth + 1) ?? '';
    });
  }

  get projectName(): string | undefined {
    const g = this.project.get('groupId');
    const a = this.project.get('artifactId');
    return g && a ? `${g}:${a}` : a;
  }
}

const EXACT_PIN = /^\[([^,[\]()]+)\]$/;

function scopeOf(scope: string, inactiveProfile: string | undefined): Scope {
  if (inactiveProfile !== undefined) return scope === 'test' ? 'dev' : 'optional';
  if (scope === 'test') return 'dev';
  if (scope === 'provided' || scope === 'system') return 'optional';
  return 'prod';
}

/** Parse a pom's text (`file` is its display path; parents are read relative to it through `loader`). */
export async function parsePom(text: string, file: string, loader: PomLoader = diskLoader()): Promise<Inventory> {
  const model = readModel(text, file);
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const { chain, missing: missingParent, warnings } = await loadParents(model, loader);
  const interp = new Interpolator(chain);
  const rootId = `root:${file}`;
  graph.addRoot(rootId, interp.projectName ?? file);

  if (missingParent) {
    const r = missingParent.ref;
    const name = `${r.groupId ?? '?'}:${r.artifactId ?? '?'}`;
    const reason = `parent POM ${name}${r.version ? `:${r.version}` : ''} is not on disk (${missingParent.why}): the properties, managed versions and dependencies it may define are unknown`;
    unresolved.push({
      name,
      ecosystem: ECOSYSTEM,
      ...(r.version !== undefined ? { spec: r.version } : {}),
      ...(missingParent.from === file && r.line !== undefined ? { line: r.line } : {}),
      reason: missingParent.from === file ? reason : `${reason} (named by ${missingParent.from})`,
    });
    warnings.push(`${missingParent.from}: ${reason}`);
  }

  // dependencyManagement: the child's entries win; `import` BOMs are named, not read
  const managed = new Map<string, { version?: string | undefined; scope?: string | undefined }>();
  const boms: string[] = [];
  for (const m of chain) {
    for (const d of m.managed) {
      const miss = new Set<string>();
      const g = interp.interpolate(d.groupId, miss);
      const a = interp.interpolate(d.artifactId, miss);
      if (!g || !a || miss.size) continue;
      const version = interp.interpolate(d.version, miss);
      if (d.scope === 'import') {
        boms.push(`${g}:${a}${version ? `:${version}` : ''}`);
        continue;
      }
      const key = `${g}:${a}:${interp.interpolate(d.type, miss) ?? 'jar'}:${interp.interpolate(d.classifier, miss) ?? ''}`;
      if (!managed.has(key)) managed.set(key, { version: miss.size ? undefined : version, scope: d.scope });
    }
  }

  const declared = new Map<string, { file: string; version: string | undefined }>(); // key → the declaration taken
  const where = (d: RawDep): string => `${d.file}${d.line !== undefined ? `:${d.line}` : ''}`;
  const skip = (d: RawDep, name: string, spec: string | undefined, reason: string): void => {
    const inFile = d.file === file;
    unresolved.push({
      name,
      ecosystem: ECOSYSTEM,
      ...(spec !== undefined ? { spec } : {}),
      ...(inFile && d.line !== undefined ? { line: d.line } : {}),
      reason: inFile ? reason : `${reason} (declared in ${where(d)})`,
    });
  };
  const unknownHint = (): string => {
    const hints: string[] = [];
    if (boms.length) hints.push(`imported BOM(s) ${boms.join(', ')} may set it but are not read offline`);
    if (missingParent) hints.push('the parent POM that is not on disk may manage it');
    return hints.length ? `; ${hints.join('; ')}` : '';
  };

  for (const m of chain) {
    for (const d of m.deps) {
      const miss = new Set<string>();
      const g = interp.interpolate(d.groupId, miss);
      const a = interp.interpolate(d.artifactId, miss);
      const rawName = `${g ?? d.groupId ?? ''}:${a ?? d.artifactId ?? ''}`;
      if (!g || !a) {
        skip(d, rawName, d.version, `no ${!g ? 'groupId' : 'artifactId'}`);
        warnings.push(`${where(d)}: dependency without ${!g ? 'groupId' : 'artifactId'}; skipped`);
        continue;
      }
      if (miss.size) {
        skip(d, rawName, d.version, `${undefinedProps(miss)}${unknownHint()}`);
        continue;
      }
      const name = `${g}:${a}`;
      const type = interp.interpolate(d.type, miss) ?? 'jar';
      const classifier = interp.interpolate(d.classifier, miss) ?? '';
      const key = `${name}:${type}:${classifier}`;
      const mgmt = managed.get(key);
      const rawVersion = d.version ?? mgmt?.version;
      const scope = interp.interpolate(d.scope ?? mgmt?.scope, miss) ?? 'compile';
      if (scope === 'import') {
        warnings.push(`${where(d)}: ${name}: scope "import" outside dependencyManagement; skipped`);
        continue;
      }
      const version = interp.interpolate(rawVersion, miss);
      const first = declared.get(key);
      if (first !== undefined) {
        // a child's declaration overrides its parent's silently; a duplicate in one pom is worth a word
        if (first.file === d.file && first.version !== version) {
          warnings.push(
            `${where(d)}: ${name} is declared again (version ${version ?? 'none'}); the first declaration (${first.version ?? 'no version'}) wins`,
          );
        }
        continue;
      }
      declared.set(key, { file: d.file, version });
      if (version === undefined) {
        skip(d, name, undefined, `no version: not in the dependencyManagement of this pom or its parents on disk${unknownHint()}`);
        continue;
      }
      if (miss.size) {
        skip(d, name, rawVersion, `${undefinedProps(miss)}${unknownHint()}`);
        continue;
      }
      let concrete = version;
      const pin = EXACT_PIN.exec(version);
      if (pin) concrete = pin[1]!.trim();
      else if (/^[[(]|,/.test(version)) {
        skip(d, name, version, 'version range: the version Maven picks depends on what the repository holds');
        continue;
      }
      if (versioning.parse(concrete) === undefined) {
        skip(d, name, version, `"${concrete}" is not a Maven version`);
        continue;
      }
      let purl: string;
      try {
        purl = buildPurl({ type: 'maven', namespace: g, name: a, version: concrete });
      } catch (e) {
        skip(d, name, version, (e as Error).message);
        continue;
      }
      const c: Component = {
        purl,
        ecosystem: ECOSYSTEM,
        name,
        version: concrete,
        scope: scopeOf(scope, d.inactiveProfile),
        direct: true,
        locations: [d.line !== undefined ? { path: d.file, line: d.line } : { path: d.file }],
      };
      graph.add(c);
      graph.addEdge(rootId, purl);
      if (d.inactiveProfile !== undefined && scope !== 'test') {
        warnings.push(`${where(d)}: ${name}@${concrete} comes from profile "${d.inactiveProfile}", not active by default: scope optional`);
      }
    }
  }
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}

function undefinedProps(miss: ReadonlySet<string>): string {
  const names = [...miss].map((n) => `\${${n}}`).join(', ');
  return `${miss.size === 1 ? 'property' : 'properties'} ${names} not defined in this pom or its parents on disk`;
}
