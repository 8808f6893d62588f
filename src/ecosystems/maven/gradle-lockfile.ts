/**
 * Gradle dependency locking: `gradle.lockfile` and `buildscript-gradle.lockfile`.
 *
 * One line per resolved module, `group:artifact:version=conf1,conf2`; `empty=conf…` names the
 * configurations that resolved nothing; `#` starts a comment. Anything else is a warning with its
 * line, never an abort.
 *
 * - The lockfile records every resolved module (transitive ones too) but neither which are direct
 *   nor who pulls whom: each component gets an edge from the root so it has a path, and `direct`
 *   stays false because the file does not say.
 * - Scope: dev when every configuration is test, development or build-time only (`test…`,
 *   `…Test…` such as `integrationTestRuntimeClasspath`/`androidTestCompileClasspath`,
 *   `developmentOnly`, `testAndDevelopmentOnly`, annotation processors, `kapt…`); prod otherwise.
 *   Everything in `buildscript-gradle.lockfile` is the build's own classpath (plugins): dev.
 */
import type { Component, Scope } from '../../model/component.js';
import { DependencyGraph } from '../../model/graph.js';
import type { InputFile, Inventory } from '../../model/inventory.js';
import { buildPurl } from '../../model/purl.js';
import { decodeText } from '../../io/json.js';
import type { Extractor } from '../types.js';
import { versioning } from './versioning.js';

const ID = 'maven/gradle-lockfile';
const ECOSYSTEM = 'Maven';
const NAMES = new Set(['gradle.lockfile', 'buildscript-gradle.lockfile']);

export const gradleLockfileExtractor: Extractor = {
  id: ID,
  needs: { network: false, runsCode: false },
  parseAs: ['gradle.lockfile', 'buildscript-gradle.lockfile'],

  wants(p: string): boolean {
    const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return NAMES.has(p.slice(i + 1));
  },

  sniff(head: string): boolean {
    return /^# This is a Gradle generated file for dependency locking\./m.test(head);
  },

  async extract(input: InputFile): Promise<Inventory> {
    return parseGradleLockfile(decodeText(await input.read(), input.path), input.path);
  },
};

const LINE = /^([^:=\s]+):([^:=\s]+):([^:=\s]+)=(.*)$/;

/** A configuration whose contents never ship with the product: tests, development, build tooling. */
export function isDevConfiguration(conf: string): boolean {
  return (
    /^test/i.test(conf) ||
    /Test(?:[A-Z]|$)/.test(conf) ||
    conf === 'developmentOnly' ||
    /annotationProcessor$/i.test(conf) ||
    /^kapt/.test(conf) ||
    /^ksp/.test(conf)
  );
}

export function parseGradleLockfile(text: string, file: string): Inventory {
  const graph = new DependencyGraph();
  const unresolved: Inventory['unresolved'] = [];
  const warnings: string[] = [];
  const rootId = `root:${file}`;
  graph.addRoot(rootId, file);
  const buildscript = /(^|[/\\])buildscript-gradle\.lockfile$/.test(file);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const lineNo = i + 1;
    if (line === '' || line.startsWith('#')) continue;
    if (/^empty=[^=]*$/.test(line)) continue;
    const m = LINE.exec(line);
    if (!m) {
      warnings.push(`line ${lineNo}: not "group:artifact:version=configurations"; skipped`);
      continue;
    }
    const [, group, artifact, version, confText] = m as unknown as [string, string, string, string, string];
    const name = `${group}:${artifact}`;
    const confs = confText.split(',').map((c) => c.trim()).filter(Boolean);
    if (versioning.parse(version) === undefined) {
      unresolved.push({ name, ecosystem: ECOSYSTEM, spec: version, line: lineNo, reason: `"${version}" is not a Maven version` });
      continue;
    }
    const scope: Scope = buildscript || (confs.length > 0 && confs.every(isDevConfiguration)) ? 'dev' : 'prod';
    let purl: string;
    try {
      purl = buildPurl({ type: 'maven', namespace: group, name: artifact, version });
    } catch (e) {
      warnings.push(`line ${lineNo}: ${name}@${version}: ${(e as Error).message}; skipped`);
      continue;
    }
    const c: Component = { purl, ecosystem: ECOSYSTEM, name, version, scope, direct: false, locations: [{ path: file, line: lineNo }] };
    graph.add(c);
    graph.addEdge(rootId, purl);
  }
  return { source: { path: file, extractor: ID }, graph, unresolved, warnings };
}
