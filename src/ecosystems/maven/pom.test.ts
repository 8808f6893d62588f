import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import type { Inventory } from '../../model/inventory.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { purlOf } from '../index.js';
import { maven } from './index.js';
import { parsePom, pomExtractor, type PomLoader } from './pom.js';

const pom = (body: string, head = ''): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n${head}${body}\n</project>\n`;

const dep = (g: string, a: string, v?: string, extra = ''): string =>
  `    <dependency>\n      <groupId>${g}</groupId>\n      <artifactId>${a}</artifactId>\n${v !== undefined ? `      <version>${v}</version>\n` : ''}${extra}    </dependency>\n`;

const deps = (...ds: string[]): string => `  <dependencies>\n${ds.join('')}  </dependencies>`;

/** A loader over an in-memory tree: display path → text. */
function tree(files: Record<string, string>): PomLoader {
  return async (p) => {
    const hit = files[path.normalize(p)] ?? files[path.join(path.normalize(p), 'pom.xml')];
    return hit === undefined ? undefined : Buffer.from(hit, 'latin1');
  };
}

function versions(inv: Inventory): Record<string, string> {
  return Object.fromEntries([...inv.graph.components.values()].map((c) => [c.name, c.version]));
}

function unresolvedOf(inv: Inventory, name: string): Inventory['unresolved'][number] {
  const u = inv.unresolved.find((x) => x.name === name);
  if (!u) throw new Error(`${name} not unresolved; have ${inv.unresolved.map((x) => x.name).join(', ')}`);
  return u;
}

describe('maven/pom: registration and file selection', () => {
  it('is a Maven extractor that needs neither network nor code', () => {
    expect(pomExtractor.parseAs).toContain('pom.xml');
  });

  // osv-scanner v1 should-extract vectors (MavenLockExtractor)
  it.each([
    ['', false],
    ['pom.xml', true],
    ['path/to/my/pom.xml', true],
    ['path/to/my/pom.xml/file', false],
    ['path/to/my/pom.xml.file', false],
    ['path.to.my.pom.xml', false],
    ['C:\\src\\app\\pom.xml', true],
  ])('wants(%j) = %s', (p, want) => {
    expect(pomExtractor.wants(p)).toBe(want);
  });

  it('sniffs a POM by its root and namespace or modelVersion', () => {
    expect(pomExtractor.sniff!('<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">')).toBe(true);
    expect(pomExtractor.sniff!('<project>\n  <modelVersion>4.0.0</modelVersion>')).toBe(true);
    expect(pomExtractor.sniff!('<bom xmlns="http://cyclonedx.org/schema/bom/1.5">')).toBe(false);
  });
});

describe('maven/pom: one file', () => {
  it('reads declared dependencies with purl, line, scope, direct edges', async () => {
    const text = pom(
      deps(
        dep('org.apache.logging.log4j', 'log4j-core', '2.14.1'),
        dep('junit', 'junit', '4.12', '      <scope>test</scope>\n'),
        dep('javax.servlet', 'servlet-api', '2.5', '      <scope>provided</scope>\n'),
        dep('com.example', 'sys', '1.0', '      <scope>system</scope>\n'),
        dep('com.example', 'rt', '1.0', '      <scope>runtime</scope>\n'),
        dep('com.example', 'opt', '1.0', '      <optional>true</optional>\n'),
      ),
      '  <groupId>com.example</groupId>\n  <artifactId>app</artifactId>\n  <version>1</version>\n',
    );
    const inv = await pomExtractor.extract(memoryInput('app/pom.xml', text));
    expect(inv.source).toEqual({ path: 'app/pom.xml', extractor: 'maven/pom' });
    expect(inv.graph.roots.get('root:app/pom.xml')).toBe('com.example:app');
    const purl = purlOf(maven, 'org.apache.logging.log4j:log4j-core', '2.14.1');
    expect(purl).toBe('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1');
    const log4j = inv.graph.components.get(purl)!;
    expect(log4j).toMatchObject({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', direct: true, scope: 'prod' });
    expect(log4j.locations).toEqual([{ path: 'app/pom.xml', line: 8 }]);
    expect(inv.graph.edges.get('root:app/pom.xml')?.has(purl)).toBe(true);
    const scope = (n: string): string => [...inv.graph.components.values()].find((c) => c.name === n)!.scope;
    expect(scope('junit:junit')).toBe('dev');
    expect(scope('javax.servlet:servlet-api')).toBe('optional');
    expect(scope('com.example:sys')).toBe('optional');
    expect(scope('com.example:rt')).toBe('prod');
    expect(scope('com.example:opt')).toBe('prod'); // optional only matters to the project's consumers
  });

  it('interpolates properties, project.* and pom.* and reports undefined ones', async () => {
    const text = pom(
      `  <properties>\n    <a.version>1.2.3</a.version>\n    <b>\${a.version}</b>\n    <loop>\${loop}</loop>\n  </properties>\n` +
        deps(
          dep('g', 'a', '${a.version}'),
          dep('g', 'b', '${b}'),
          dep('${project.groupId}', 'sibling', '${project.version}'),
          dep('g', 'legacy', '${pom.version}'),
          dep('g', 'nope', '${not.defined}'),
          dep('g', 'env', '${env.LIB_VERSION}'),
          dep('g', 'loop', '${loop}'),
        ),
      '  <groupId>com.example</groupId>\n  <artifactId>app</artifactId>\n  <version>7.0</version>\n',
    );
    const inv = await parsePom(text, 'pom.xml', tree({}));
    expect(versions(inv)).toEqual({ 'g:a': '1.2.3', 'g:b': '1.2.3', 'com.example:sibling': '7.0', 'g:legacy': '7.0' });
    expect(unresolvedOf(inv, 'g:nope')).toMatchObject({ spec: '${not.defined}', reason: expect.stringContaining('${not.defined} not defined') });
    expect(unresolvedOf(inv, 'g:env').reason).toContain('${env.LIB_VERSION}');
    expect(unresolvedOf(inv, 'g:loop').reason).toContain('${loop}');
  });

  it('takes missing versions and scopes from dependencyManagement; an explicit version wins', async () => {
    const text = pom(
      deps(dep('g', 'managed'), dep('g', 'explicit', '1.0'), dep('g', 'classified', undefined, '      <classifier>tests</classifier>\n')) +
        `\n  <dependencyManagement>\n${deps(
          dep('g', 'managed', '2.0', '      <scope>test</scope>\n'),
          dep('g', 'explicit', '9.9'),
          dep('g', 'only-managed', '3.0'),
          dep('g', 'classified', '4.0', '      <classifier>tests</classifier>\n'),
          dep('org.bom', 'bom', '5', '      <type>pom</type>\n      <scope>import</scope>\n'),
        )}\n  </dependencyManagement>`,
    );
    const inv = await parsePom(text, 'pom.xml', tree({}));
    expect(versions(inv)).toEqual({ 'g:managed': '2.0', 'g:explicit': '1.0', 'g:classified': '4.0' });
    expect([...inv.graph.components.values()].find((c) => c.name === 'g:managed')!.scope).toBe('dev');
  });

  it('names imported BOMs when a version is missing', async () => {
    const text = pom(
      deps(dep('g', 'unmanaged')) +
        `\n  <dependencyManagement>\n${deps(dep('org.bom', 'bom', '5', '      <type>pom</type>\n      <scope>import</scope>\n'))}\n  </dependencyManagement>`,
    );
    const inv = await parsePom(text, 'pom.xml', tree({}));
    expect(inv.graph.components.size).toBe(0);
    expect(unresolvedOf(inv, 'g:unmanaged')).toMatchObject({ line: 5, reason: expect.stringContaining('org.bom:bom:5') });
  });

  // osv-scanner v1 resolve-version vectors: a soft requirement and an exact pin are versions; a
  // range is not guessed (osv-scanner reports its lower bound, or "0")
  const resolveVectors = HAS_SHARED
    ? (JSON.parse(readFileSync(shared('conformance/lockfiles/osv-scanner-v1/maven/resolve-version.json'), 'utf8')) as {
        cases: { input: string; expected: string }[];
      }).cases
    : [];
  it.skipIf(!HAS_SHARED).each(resolveVectors.map((c) => [c.input, c.expected] as const))(
    'version requirement %s (osv-scanner reports %s)',
    async (input, expected) => {
      const inv = await parsePom(pom(deps(dep('g', 'a', input))), 'pom.xml', tree({}));
      if (input === '1.0' || input === '[1.0]') {
        expect(versions(inv)).toEqual({ 'g:a': expected });
      } else {
        expect(inv.graph.components.size).toBe(0);
        expect(unresolvedOf(inv, 'g:a')).toMatchObject({ spec: input, reason: expect.stringContaining('version range') });
      }
    },
  );

  it('keeps the first of duplicate declarations and says so; a missing groupId is unresolved', async () => {
    const inv = await parsePom(pom(deps(dep('g', 'a', '1.0'), dep('g', 'a', '1.1'), `    <dependency><artifactId>x</artifactId></dependency>\n`)), 'pom.xml', tree({}));
    expect(versions(inv)).toEqual({ 'g:a': '1.0' });
    expect(inv.warnings.join('\n')).toContain('declared again (version 1.1)');
    expect(unresolvedOf(inv, ':x').reason).toBe('no groupId');
  });

  it('reads profiles: active by default as usual, others as optional', async () => {
    const profiles = `  <profiles>
    <profile><id>on</id><activation><activeByDefault>true</activeByDefault></activation>
      <properties><v>1.0</v></properties>
${deps(dep('g', 'on', '${v}'))}
    </profile>
    <profile><id>off</id>
${deps(dep('g', 'off', '2.0'), dep('g', 'off-test', '2.0', '      <scope>test</scope>\n'))}
    </profile>
  </profiles>`;
    const inv = await parsePom(pom(profiles), 'pom.xml', tree({}));
    const byName = new Map([...inv.graph.components.values()].map((c) => [c.name, c]));
    expect(byName.get('g:on')).toMatchObject({ version: '1.0', scope: 'prod' });
    expect(byName.get('g:off')).toMatchObject({ version: '2.0', scope: 'optional' });
    expect(byName.get('g:off-test')).toMatchObject({ scope: 'dev' });
  });

  it('leaves build plugin dependencies out', async () => {
    const text = pom(
      `  <build><plugins><plugin><artifactId>p</artifactId><dependencies>${dep('g', 'plugin-only', '1')}</dependencies></plugin></plugins></build>`,
    );
    const inv = await parsePom(text, 'pom.xml', tree({}));
    expect(inv.graph.components.size).toBe(0);
  });

  it('decodes ISO-8859-1 poms by their declaration', async () => {
    const text = `<?xml version="1.0" encoding="ISO-8859-1"?>\n<project><name>Caf\u00e9</name>${deps(dep('g', 'a', '1'))}</project>`;
    const inv = await pomExtractor.extract(memoryInput('pom.xml', Buffer.from(text, 'latin1')));
    expect(versions(inv)).toEqual({ 'g:a': '1' });
  });

  it('refuses what is not a POM, with the file and line', async () => {
    const bad = await pomExtractor.extract(memoryInput('x/pom.xml', '<project>\n<dependencies>\n</project>')).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(VouchError);
    expect((bad as VouchError).code).toBe('INPUT_PARSE');
    expect((bad as VouchError).oneLine()).toMatch(/^x\/pom\.xml:\d+: not valid XML/);
    const other = await pomExtractor.extract(memoryInput('x/pom.xml', '<settings></settings>')).catch((e: unknown) => e);
    expect((other as VouchError).code).toBe('INPUT_UNSUPPORTED');
    expect((other as VouchError).message).toContain('<settings>');
  });
});

describe('maven/pom: parents on disk', () => {
  const parentPom = pom(
    `  <properties>\n    <lib.version>3.1</lib.version>\n    <over>parent</over>\n  </properties>\n` +
      deps(dep('org.inherited', 'inh', '${project.version}')) +
      `\n  <dependencyManagement>\n${deps(dep('org.managed', 'm', '${lib.version}'))}\n  </dependencyManagement>`,
    '  <groupId>com.example</groupId>\n  <artifactId>parent</artifactId>\n  <version>5.0</version>\n  <packaging>pom</packaging>\n',
  );
  const child = (parentXml: string, body = ''): string =>
    pom(
      `  <properties>\n    <over>child</over>\n  </properties>\n` +
        deps(dep('org.managed', 'm'), dep('org.lib', 'lib', '${lib.version}'), dep('org.over', 'o', '1-${over}')) +
        body,
      `  <parent>\n${parentXml}  </parent>\n  <artifactId>child</artifactId>\n`,
    );
  const ref = (extra = ''): string =>
    `    <groupId>com.example</groupId>\n    <artifactId>parent</artifactId>\n    <version>5.0</version>\n${extra}`;

  it('inherits properties, managed versions, dependencies and the version from ../pom.xml', async () => {
    const files = { [path.normalize('proj/pom.xml')]: parentPom };
    const inv = await parsePom(child(ref()), 'proj/child/pom.xml', tree(files));
    expect(versions(inv)).toEqual({ 'org.managed:m': '3.1', 'org.lib:lib': '3.1', 'org.over:o': '1-child', 'org.inherited:inh': '5.0' });
    const inh = [...inv.graph.components.values()].find((c) => c.name === 'org.inherited:inh')!;
    expect(inh.locations[0]!.path).toBe(path.normalize('proj/pom.xml'));
    expect(inh.direct).toBe(true);
    expect(inv.unresolved).toEqual([]);
    expect(inv.graph.roots.get('root:proj/child/pom.xml')).toBe('com.example:child');
  });

  it('follows a <relativePath> to a folder or a file', async () => {
    const files = { [path.normalize('proj/parent/pom.xml')]: parentPom };
    for (const rel of ['../parent', '../parent/pom.xml']) {
      const inv = await parsePom(child(ref(`    <relativePath>${rel}</relativePath>\n`)), 'proj/child/pom.xml', tree(files));
      expect(versions(inv)['org.lib:lib']).toBe('3.1');
    }
  });

  it('lists a parent that is not on disk, or not the declared one, as unresolved and guesses nothing', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{}, ref(), 'not found at'],
      [{ [path.normalize('proj/pom.xml')]: parentPom.replace('<artifactId>parent</artifactId>', '<artifactId>other</artifactId>') }, ref(), 'not the declared parent'],
      [{ [path.normalize('proj/pom.xml')]: parentPom.replace('<version>5.0</version>', '<version>4.0</version>') }, ref(), 'has version 4.0'],
      [{ [path.normalize('proj/pom.xml')]: parentPom }, ref('    <relativePath/>\n'), 'relativePath/> is empty'],
      [{ [path.normalize('proj/pom.xml')]: '<project><broken></project>' }, ref(), 'could not be read'],
    ];
    for (const [files, parentXml, why] of cases) {
      const inv = await parsePom(child(parentXml), 'proj/child/pom.xml', tree(files));
      expect(unresolvedOf(inv, 'com.example:parent')).toMatchObject({ spec: '5.0', line: 4, reason: expect.stringContaining(why) });
      expect(versions(inv)).toEqual({ 'org.over:o': '1-child' });
      expect(unresolvedOf(inv, 'org.managed:m').reason).toContain('parent POM that is not on disk may manage it');
      expect(unresolvedOf(inv, 'org.lib:lib').reason).toContain('${lib.version}');
    }
  });

  it('stops at a cycle of parents', async () => {
    const a = pom('', `  <parent><groupId>g</groupId><artifactId>b</artifactId><relativePath>../b</relativePath></parent>\n  <groupId>g</groupId><artifactId>a</artifactId>\n`);
    const b = pom('', `  <parent><groupId>g</groupId><artifactId>a</artifactId><relativePath>../a</relativePath></parent>\n  <groupId>g</groupId><artifactId>b</artifactId>\n`);
    const inv = await parsePom(a, path.normalize('t/a/pom.xml'), tree({ [path.normalize('t/a/pom.xml')]: a, [path.normalize('t/b/pom.xml')]: b }));
    // a → b → a: b's parent is a again
    expect(unresolvedOf(inv, 'g:a').reason).toContain('a cycle');
    expect(unresolvedOf(inv, 'g:a').reason).toContain('named by');
  });
});

describe.skipIf(!HAS_SHARED)('maven/pom: real projects', () => {
  const goof = (...p: string[]): string => shared('realworld', 'snyk-labs__java-goof', ...p);

  it('java-goof log4shell-server pins log4j-core 2.15.0', async () => {
    const file = goof('log4shell-goof', 'log4shell-server', 'pom.xml');
    const inv = await pomExtractor.extract(await fileInput(file));
    const c = inv.graph.components.get('pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0');
    expect(c).toMatchObject({ name: 'org.apache.logging.log4j:log4j-core', version: '2.15.0', scope: 'prod', direct: true });
    expect(c!.locations).toEqual([{ path: file, line: 20 }]);
    expect(inv.unresolved).toEqual([]);
  });

  it('reads all eight java-goof poms; modules inherit their parent dependencies', async () => {
    const files = [
      'pom.xml',
      'log4shell-goof/pom.xml',
      'log4shell-goof/log4shell-client/pom.xml',
      'log4shell-goof/log4shell-server/pom.xml',
      'todolist-goof/pom.xml',
      'todolist-goof/todolist-core/pom.xml',
      'todolist-goof/todolist-web-common/pom.xml',
      'todolist-goof/todolist-web-struts/pom.xml',
    ];
    for (const f of files) await pomExtractor.extract(await fileInput(goof(...f.split('/'))));
    const struts = await pomExtractor.extract(await fileInput(goof('todolist-goof', 'todolist-web-struts', 'pom.xml')));
    const v = versions(struts);
    expect(v['org.apache.struts:struts2-core']).toBe('2.3.20'); // ${struts2.version} from the parent
    expect(v['org.apache.logging.log4j:log4j-core']).toBe('2.7');
    expect(v['javax.xml.bind:jaxb-api']).toBe('2.3.0'); // inherited
    const jaxb = [...struts.graph.components.values()].find((c) => c.name === 'javax.xml.bind:jaxb-api')!;
    expect(jaxb.locations[0]!.path).toBe(goof('todolist-goof', 'pom.xml'));
  });

  it('WebGoat: the Spring Boot parent is not on disk, so versions it manages are unresolved, not guessed', async () => {
    const inv = await pomExtractor.extract(await fileInput(shared('realworld', 'WebGoat__WebGoat', 'pom.xml')));
    expect(unresolvedOf(inv, 'org.springframework.boot:spring-boot-starter-parent').reason).toContain('not on disk');
    expect(unresolvedOf(inv, 'com.fasterxml.jackson.core:jackson-databind').reason).toContain('no version');
    expect(versions(inv)['com.thoughtworks.xstream:xstream']).toBe('1.4.5');
    expect([...inv.graph.components.values()].every((c) => c.version && c.locations[0]!.line)).toBe(true);
  });
});
