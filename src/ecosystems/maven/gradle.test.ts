import { describe, expect, it } from 'vitest';
import { VouchError } from '../../model/errors.js';
import { fileInput, memoryInput } from '../../io/input.js';
import { HAS_SHARED, shared } from '../../testing/shared.js';
import { gradleLockfileExtractor, isDevConfiguration } from './gradle-lockfile.js';
import { verificationMetadataExtractor } from './verification-metadata.js';

describe('maven/gradle-lockfile', () => {
  it('has its parse-as names', () => {
    expect(gradleLockfileExtractor.parseAs).toEqual(['gradle.lockfile', 'buildscript-gradle.lockfile']);
  });

  // osv-scanner v1 should-extract vectors (GradleLockExtractor)
  it.each([
    ['', false],
    ['buildscript-gradle.lockfile', true],
    ['path/to/my/buildscript-gradle.lockfile', true],
    ['path/to/my/buildscript-gradle.lockfile/file', false],
    ['path/to/my/buildscript-gradle.lockfile.file', false],
    ['path.to.my.buildscript-gradle.lockfile', false],
    ['gradle.lockfile', true],
    ['path/to/my/gradle.lockfile', true],
    ['path/to/my/gradle.lockfile/file', false],
    ['path/to/my/gradle.lockfile.file', false],
    ['path.to.my.gradle.lockfile', false],
  ])('wants(%j) = %s', (p, want) => {
    expect(gradleLockfileExtractor.wants(p)).toBe(want);
  });

  it.each([
    ['testCompileClasspath', true],
    ['testRuntimeClasspath', true],
    ['integrationTestRuntimeClasspath', true],
    ['androidTestCompileClasspath', true],
    ['developmentOnly', true],
    ['testAndDevelopmentOnly', true],
    ['annotationProcessor', true],
    ['kaptTest', true],
    ['compileClasspath', false],
    ['runtimeClasspath', false],
    ['productionRuntimeClasspath', false],
    ['testedRuntime', true],
    ['contestRuntimeClasspath', false],
  ])('configuration %s is dev-only: %s', (conf, dev) => {
    expect(isDevConfiguration(conf)).toBe(dev);
  });

  it('reads lines with their line numbers and scopes, warns on bad lines', async () => {
    const text = [
      '# comment',
      'org.a:prod:1.0=compileClasspath,testRuntimeClasspath',
      'org.a:test:2.0=testCompileClasspath,testRuntimeClasspath',
      'org.a:dev:3.0=developmentOnly',
      'not a line',
      'org.a:b:c:d=x',
      'empty=annotationProcessor',
      '',
    ].join('\n');
    const inv = await gradleLockfileExtractor.extract(memoryInput('app/gradle.lockfile', text));
    const byName = new Map([...inv.graph.components.values()].map((c) => [c.name, c]));
    expect(byName.get('org.a:prod')).toMatchObject({ version: '1.0', scope: 'prod', direct: false, locations: [{ path: 'app/gradle.lockfile', line: 2 }] });
    expect(byName.get('org.a:test')!.scope).toBe('dev');
    expect(byName.get('org.a:dev')!.scope).toBe('dev');
    expect(byName.size).toBe(3);
    expect(inv.warnings).toEqual([expect.stringMatching(/^line 5: /), expect.stringMatching(/^line 6: /)]);
    expect(inv.graph.edges.get('root:app/gradle.lockfile')?.size).toBe(3);
  });

  it('treats the buildscript lockfile as the build classpath (dev)', async () => {
    const inv = await gradleLockfileExtractor.extract(memoryInput('buildscript-gradle.lockfile', 'org.p:plugin:1.0=classpath\n'));
    expect([...inv.graph.components.values()][0]!.scope).toBe('dev');
  });

  it.skipIf(!HAS_SHARED)('DataDog vulnerable-java-application: log4j and tomcat are prod, test tools are dev', async () => {
    const file = shared('realworld', 'DataDog__vulnerable-java-application', 'gradle.lockfile');
    const inv = await gradleLockfileExtractor.extract(await fileInput(file));
    expect(inv.warnings).toEqual([]);
    const get = (purl: string) => inv.graph.components.get(purl);
    expect(get('pkg:maven/org.apache.logging.log4j/log4j-api@2.21.1')).toMatchObject({ scope: 'prod', locations: [{ path: file, line: 25 }] });
    expect(get('pkg:maven/org.apache.tomcat.embed/tomcat-embed-core@10.1.20')!.scope).toBe('prod');
    expect(get('pkg:maven/com.jayway.jsonpath/json-path@2.9.0')!.scope).toBe('dev');
    expect(inv.graph.components.size).toBeGreaterThan(60);
  });
});

describe('maven/gradle-verification-metadata', () => {
  // osv-scanner v1 should-extract vectors (GradleVerificationMetadataExtractor)
  it.each([
    ['', false],
    ['verification-metadata.xml', false],
    ['gradle/verification-metadata.xml', true],
    ['path/to/my/verification-metadata.xml', false],
    ['path/to/my/verification-metadata.xml/file', false],
    ['path/to/my/verification-metadata.xml.file', false],
    ['path.to.my.verification-metadata.xml', false],
    ['path/to/my/gradle/verification-metadata.xml', true],
    ['path/to/my/gradle/verification-metadata.xml/file', false],
    ['path/to/my/gradle/verification-metadata.xml.file', false],
    ['path.to.my.gradle.verification-metadata.xml', false],
  ])('wants(%j) = %s', (p, want) => {
    expect(verificationMetadataExtractor.wants(p)).toBe(want);
  });

  it('takes the hashes of the main artifact, not of its pom', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<verification-metadata xmlns="https://schema.gradle.org/dependency-verification">
  <components>
    <component group="org.apache.logging.log4j" name="log4j-core" version="2.14.1">
      <artifact name="log4j-core-2.14.1.pom">
        <sha256 value="aaaa"/>
      </artifact>
      <artifact name="log4j-core-2.14.1.jar">
        <sha256 value="ABCD" origin="Generated by Gradle"/>
        <sha512 value="ef01"/>
      </artifact>
    </component>
    <component group="g" name="pom-only" version="1">
      <artifact name="pom-only-1.pom"><sha256 value="bbbb"/></artifact>
    </component>
  </components>
</verification-metadata>`;
    const inv = await verificationMetadataExtractor.extract(memoryInput('gradle/verification-metadata.xml', xml));
    const log4j = inv.graph.components.get('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')!;
    expect(log4j).toMatchObject({ scope: 'unknown', direct: false, locations: [{ path: 'gradle/verification-metadata.xml', line: 4 }] });
    expect(log4j.hashes).toEqual([
      { alg: 'sha256', value: 'abcd' },
      { alg: 'sha512', value: 'ef01' },
    ]);
    expect(inv.graph.components.get('pkg:maven/g/pom-only@1')!.hashes).toBeUndefined();
  });

  it('refuses other XML with INPUT_UNSUPPORTED', async () => {
    const err = await verificationMetadataExtractor.extract(memoryInput('gradle/verification-metadata.xml', '<project/>')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VouchError);
    expect((err as VouchError).code).toBe('INPUT_UNSUPPORTED');
  });
});
