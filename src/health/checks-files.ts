/** Checks that read the tree: Security-Policy, License, Dependency-Update-Tool, Binary-Artifacts, Fuzzing. */
import path from 'node:path';
import type { RepoContext } from './context.js';
import type { CheckResult, Evidence } from './types.js';

const lower = (s: string): string => s.toLowerCase();

// ---------------------------------------------------------------- Security-Policy

const POLICY_DIRS = ['', '.github/', 'docs/'];
const POLICY_NAME = /^security(\.(md|markdown|rst|txt|adoc))?$/i;

/** Scorecard's content scoring: links 6, free text 3, disclosure text 1. */
export function scoreSecurityPolicy(text: string): { score: number; emails: number; urls: number; freeText: boolean; hits: number } {
  const emails = text.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? [];
  const urls = text.match(/https?:\/\/[^\s)>\]"']+/g) ?? [];
  let rest = text;
  for (const l of [...emails, ...urls]) rest = rest.replace(l, '');
  const freeText = rest.replace(/[\s#*_`>\-[\]()|:.,]/g, '').length > 1;
  const hits = (text.match(/vuln|disclos|\b\d+\s*(?:days?|hours?|weeks?|business days?)\b/gi) ?? []).length;
  let score = 0;
  if (emails.length + urls.length > 0) score += 6;
  if (freeText) score += 3;
  if (hits >= 2) score += 1;
  return { score, emails: emails.length, urls: urls.length, freeText, hits };
}

export async function securityPolicy(ctx: RepoContext): Promise<CheckResult> {
  const base = { name: 'Security-Policy', risk: 'Medium' as const, remediation: 'Add SECURITY.md in the root saying how to report a vulnerability privately (an e-mail or a URL) and what disclosure timeline to expect.' };
  const found = ctx.files.filter((f) => {
    const dir = f.includes('/') ? f.slice(0, f.lastIndexOf('/') + 1) : '';
    return POLICY_DIRS.includes(dir.toLowerCase()) && POLICY_NAME.test(path.posix.basename(f));
  });
  if (found.length === 0) return { ...base, score: 0, reason: 'no security policy file (SECURITY.md in the root, .github/ or docs/)', evidence: [] };
  let best: { f: string; r: ReturnType<typeof scoreSecurityPolicy> } | undefined;
  for (const f of found) {
    const r = scoreSecurityPolicy((await ctx.read(f)) ?? '');
    if (!best || r.score > best.r.score) best = { f, r };
  }
  const { f, r } = best!;
  const parts = [`${r.emails} e-mail(s), ${r.urls} URL(s)`, r.freeText ? 'free text' : 'no free text', `${r.hits} disclosure/vulnerability/timeline term(s)`];
  const evidence: Evidence[] = [{ path: f, detail: `security policy found: ${parts.join('; ')}`, kind: r.score < 10 ? 'fail' : 'info' }];
  return { ...base, score: r.score, reason: `security policy ${f}: ${parts.join('; ')}`, evidence };
}

// ---------------------------------------------------------------- License

const LICENSE_NAME = /^(un)?licen[sc]e|^copying|^copyright|^mit-license|^apache-2\.0|^gpl/i;

/** Recognisable licence texts → SPDX id (first match wins; SPDX-License-Identifier lines beat these). */
const LICENSE_TEXTS: [RegExp, string][] = [
  [/Apache License,?\s+Version 2\.0/i, 'Apache-2.0'],
  [/GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3/i, 'AGPL-3.0'],
  [/GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3/i, 'LGPL-3.0'],
  [/GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1/i, 'LGPL-2.1'],
  [/GNU GENERAL PUBLIC LICENSE\s+Version 3/i, 'GPL-3.0'],
  [/GNU GENERAL PUBLIC LICENSE\s+Version 2/i, 'GPL-2.0'],
  [/Mozilla Public License,?\s+(version|v\.?)\s*2\.0/i, 'MPL-2.0'],
  [/This is free and unencumbered software released into the public domain/i, 'Unlicense'],
  [/Permission is hereby granted, free of charge, to any person obtaining a copy/i, 'MIT'],
  [/Permission to use, copy, modify, and\/or distribute this software for any\s+purpose with or without fee is hereby granted/i, 'ISC'],
  [/Redistribution and use in source and binary forms[\s\S]{0,2000}Neither the name/i, 'BSD-3-Clause'],
  [/Redistribution and use in source and binary forms/i, 'BSD-2-Clause'],
  [/Boost Software License - Version 1\.0/i, 'BSL-1.0'],
  [/Eclipse Public License - v 2\.0/i, 'EPL-2.0'],
];

export function detectLicense(text: string): string | undefined {
  const spdx = /SPDX-License-Identifier:\s*([A-Za-z0-9.+\-() ]+?)\s*(?:\*\/|-->|$)/m.exec(text);
  if (spdx) return spdx[1]!.trim();
  // licence texts wrap anywhere: compare with runs of white space folded to one space
  const flat = text.replace(/\s+/g, ' ');
  for (const [re, id] of LICENSE_TEXTS) if (re.test(flat)) return id;
  return undefined;
}

export async function license(ctx: RepoContext): Promise<CheckResult> {
  const base = { name: 'License', risk: 'Low' as const, remediation: 'Add a LICENSE file with the full text of an OSI-approved licence in the repository root.' };
  const top = ctx.files.filter((f) => !f.includes('/') && LICENSE_NAME.test(f));
  const nested = ctx.files.filter((f) => /^licenses?\//i.test(f));
  const candidates = [...top, ...nested];
  if (candidates.length === 0) return { ...base, score: 0, reason: 'no licence file (LICENSE, COPYING, ... in the root or LICENSES/)', evidence: [] };
  const evidence: Evidence[] = [];
  let id: string | undefined;
  for (const f of candidates) {
    const found = detectLicense((await ctx.read(f)) ?? '');
    evidence.push({ path: f, detail: found ? `licence text: ${found}` : 'licence file, licence not recognised', kind: found ? 'info' : 'fail' });
    id ??= found;
  }
  // Scorecard: a licence file 6, a recognised (FSF/OSI) licence +3, at the top level +1
  const score = 6 + (id ? 3 : 0) + (top.length > 0 ? 1 : 0);
  return { ...base, score, reason: id ? `licence file ${candidates[0]} (${id})` : `licence file ${candidates[0]}, licence not recognised`, evidence };
}

// ---------------------------------------------------------------- Dependency-Update-Tool

const UPDATE_TOOL_FILES: [RegExp, string][] = [
  [/^\.github\/dependabot\.ya?ml$/, 'Dependabot'],
  [/^(\.github\/|\.gitlab\/)?(renovate|\.renovaterc)(\.json5?)?$/, 'Renovate'],
  [/^\.renovaterc(\.json5?)?$/, 'Renovate'],
  [/^\.pyup\.ya?ml$/, 'PyUp'],
  [/^\.scala-steward\.conf$|^\.github\/\.scala-steward\.conf$/, 'Scala Steward'],
];

export function dependencyUpdateTool(ctx: RepoContext): CheckResult {
  const base = { name: 'Dependency-Update-Tool', risk: 'High' as const, remediation: 'Configure Dependabot (.github/dependabot.yml) or Renovate (renovate.json) to propose dependency updates.' };
  const evidence: Evidence[] = [];
  for (const f of ctx.files) {
    for (const [re, tool] of UPDATE_TOOL_FILES) {
      if (re.test(f)) {
        evidence.push({ path: f, detail: `${tool} configuration`, kind: 'info' });
        break;
      }
    }
  }
  if (evidence.length === 0) return { ...base, score: 0, reason: 'no Dependabot, Renovate, PyUp or Scala Steward configuration', evidence };
  return { ...base, score: 10, reason: `update tool configured: ${[...new Set(evidence.map((e) => e.detail.replace(/ configuration$/, '')))].join(', ')}`, evidence };
}

// ---------------------------------------------------------------- Binary-Artifacts

/** Extensions of generated executables and byte code (Scorecard's list, abridged). */
const BINARY_EXT = new Set(['crx', 'deb', 'dex', 'dey', 'elf', 'o', 'a', 'so', 'macho', 'iso', 'class', 'jar', 'war', 'ear', 'exe', 'dll', 'msi', 'pyc', 'pyo', 'pyd', 'whl', 'egg', 'apk', 'aar', 'rpm', 'dylib', 'lib', 'obj', 'wasm', 'beam', 'gem', 'nupkg', 'bin', 'com']);

/** Magic bytes of executables. */
export function sniffExecutable(head: Buffer): string | undefined {
  if (head.length >= 4 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF') return 'ELF';
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return 'PE (MZ)';
  if (head.length >= 4) {
    const m = head.readUInt32BE(0);
    if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(m)) return 'Mach-O';
    if (m === 0xcafebabe) return 'Java class or Mach-O universal';
    if (m === 0x0061736d) return 'WebAssembly';
  }
  return undefined;
}

/** Allowed binaries: the Gradle wrapper jar (Scorecard allows it after validating its checksum; we do not validate offline). */
const ALLOWED_BINARY = /(^|\/)gradle\/wrapper\/gradle-wrapper\.jar$/;

export async function binaryArtifacts(ctx: RepoContext): Promise<CheckResult> {
  const base = { name: 'Binary-Artifacts', risk: 'High' as const, remediation: 'Remove generated executables from the repository and build them from source in CI.' };
  const evidence: Evidence[] = [];
  let count = 0;
  for (const f of ctx.files) {
    const ext = path.posix.extname(f).slice(1).toLowerCase();
    let kind: string | undefined;
    if (BINARY_EXT.has(ext)) kind = `.${ext} file`;
    else {
      const h = await ctx.head(f, 4);
      if (h) kind = sniffExecutable(h);
    }
    if (!kind) continue;
    if (ALLOWED_BINARY.test(f)) {
      evidence.push({ path: f, detail: `${kind}: Gradle wrapper, allowed (checksum not validated offline)`, kind: 'info' });
      continue;
    }
    count++;
    evidence.push({ path: f, detail: `binary artifact: ${kind}`, kind: 'fail' });
  }
  if (count === 0) return { ...base, score: 10, reason: 'no binary artifacts', evidence };
  return { ...base, score: Math.max(0, 10 - count), reason: `${count} binary artifact(s) committed`, evidence };
}

// ---------------------------------------------------------------- Fuzzing

export async function fuzzing(ctx: RepoContext): Promise<CheckResult> {
  const base = { name: 'Fuzzing', risk: 'Medium' as const, remediation: 'Add fuzz targets (go test -fuzz, cargo-fuzz, Jazzer, Atheris, libFuzzer) and run them continuously, e.g. by joining OSS-Fuzz or ClusterFuzzLite.' };
  const evidence: Evidence[] = [];
  for (const f of ctx.files) {
    const name = lower(f);
    if (/^\.clusterfuzzlite\/project\.ya?ml$/.test(name)) evidence.push({ path: f, detail: 'ClusterFuzzLite project', kind: 'info' });
    else if (/(^|\/)fuzz\/cargo\.toml$/.test(name)) evidence.push({ path: f, detail: 'cargo-fuzz targets', kind: 'info' });
    else if (/(^|\/)projects\/[^/]+\/project\.yaml$/.test(name)) evidence.push({ path: f, detail: 'OSS-Fuzz project file', kind: 'info' });
    else if (/_test\.go$/.test(name) || /\.(java|kt|py|c|cc|cpp|rs|js|ts)$/.test(name)) {
      if (!/fuzz/.test(name) && !/_test\.go$/.test(name)) continue;
      const text = await ctx.read(f);
      if (!text) continue;
      const lines = text.split('\n');
      const idx = lines.findIndex((l) =>
        /^func Fuzz\w*\(\w+ \*testing\.F\)/.test(l) ||
        /@FuzzTest|com\.code_intelligence\.jazzer/.test(l) ||
        /\bimport atheris\b|atheris\.Setup/.test(l) ||
        /LLVMFuzzerTestOneInput/.test(l) ||
        /fuzz_target!\s*\(/.test(l) ||
        /@jazzer\.js|require\(['"]@jazzer\.js/.test(l),
      );
      if (idx >= 0) evidence.push({ path: f, line: idx + 1, detail: `fuzz target: ${lines[idx]!.trim().slice(0, 80)}`, kind: 'info' });
    }
    if (evidence.length >= 20) break;
  }
  if (evidence.length === 0) return { ...base, score: 0, reason: 'no fuzz targets or fuzzing integration found (OSS-Fuzz membership itself cannot be seen offline)', evidence };
  return { ...base, score: 10, reason: `fuzzing found: ${[...new Set(evidence.map((e) => e.detail.split(':')[0]))].join(', ')}`, evidence };
}
