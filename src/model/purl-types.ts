/**
 * The rules of each registered purl type that vouch applies when it parses or builds a purl, as
 * the purl specification's type definitions (purl-spec `types/*-definition.json`) give them:
 * which components are required or prohibited, which are case-insensitive (and so lower-cased
 * in the canonical form), which qualifiers are required, and the few rules the definitions state
 * in prose (pypi's `_` → `-`, pub's name characters, cpan's `::`, …). A type not listed here is
 * held to the general rules only, as ECMA-427 5.7 says of an unregistered type.
 *
 * purl-types.test.ts holds this table to the definition files in ../shared/conformance/purl.
 */

/** The components of a purl (purl.ts parses and builds them). */
export interface PurlParts {
  type: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  qualifiers?: Record<string, string> | undefined;
  subpath?: string | undefined;
}

export type Requirement = 'required' | 'optional' | 'prohibited';

export interface PurlTypeRule {
  namespace: Requirement;
  /** Case-insensitive components (`case_sensitive: false`): lower-cased in the canonical form. */
  lower?: { namespace?: true; name?: true; version?: true; subpath?: true };
  /** Qualifier keys the type requires. */
  qualifiers?: readonly string[];
  /**
   * The type's own normalisation of already lower-cased parts (returns the same object when
   * nothing changes), for the rules a definition states in prose.
   */
  normalize?(p: PurlParts): PurlParts;
  /** Why the (normalised) parts are no purl of this type; undefined when they are. */
  check?(p: PurlParts): string | undefined;
}

const LOWER_NAME = { name: true } as const;
const LOWER_BOTH = { namespace: true, name: true } as const;

/** GitHub and Bitbucket paths are case-insensitive (their own types, `github` and `bitbucket`, say so). */
const CASE_INSENSITIVE_GIT_HOSTS = new Set(['github', 'github.com', 'bitbucket', 'bitbucket.org']);

/** A Databricks workspace (host `*.azuredatabricks.net`, `*.cloud.databricks.com`, …), whose MLflow model names are case-insensitive. */
function isDatabricks(url: string | undefined): boolean {
  if (url === undefined || !URL.canParse(url)) return false;
  return /(?:^|\.)(?:azure)?databricks\.(?:net|com)$/.test(new URL(url).hostname);
}

export const PURL_TYPES: Readonly<Record<string, PurlTypeRule>> = {
  alpm: { namespace: 'required', lower: LOWER_BOTH },
  apk: { namespace: 'required', lower: LOWER_BOTH },
  bazel: { namespace: 'prohibited' },
  bitbucket: { namespace: 'required', lower: LOWER_BOTH },
  bitnami: { namespace: 'prohibited', lower: LOWER_NAME },
  brew: { namespace: 'optional', lower: LOWER_BOTH },
  cargo: { namespace: 'prohibited' },
  'chrome-extension': {
    namespace: 'prohibited',
    lower: LOWER_NAME,
    check: (p) =>
      !/^[a-p]{32}$/.test(p.name)
        ? 'a Chrome extension id is 32 letters a-p'
        : p.version !== undefined && !/^\d+(?:\.\d+){0,3}$/.test(p.version)
          ? 'a Chrome extension version is one to four dot-separated numbers'
          : undefined,
  },
  cocoapods: { namespace: 'prohibited' },
  composer: { namespace: 'required', lower: LOWER_BOTH },
  conan: { namespace: 'optional' },
  conda: { namespace: 'prohibited' },
  cpan: { namespace: 'optional', check: (p) => (p.name.includes('::') ? 'a CPAN distribution name has no "::" (that is a module name)' : undefined) },
  cran: { namespace: 'prohibited' },
  deb: { namespace: 'required', lower: LOWER_BOTH },
  docker: { namespace: 'optional' },
  gem: { namespace: 'prohibited' },
  generic: { namespace: 'optional' },
  // the namespace is the host, the name the repository's path on it (it may hold '/')
  git: {
    namespace: 'required',
    normalize: (p) => {
      let out = p;
      const slash = p.namespace?.indexOf('/') ?? -1;
      if (slash > 0) out = { ...p, namespace: p.namespace!.slice(0, slash), name: `${p.namespace!.slice(slash + 1)}/${p.name}` };
      if (out.namespace !== undefined && CASE_INSENSITIVE_GIT_HOSTS.has(out.namespace.toLowerCase())) {
        out = { ...out, namespace: out.namespace.toLowerCase(), name: out.name.toLowerCase() };
      }
      return out;
    },
  },
  github: { namespace: 'required', lower: LOWER_BOTH },
  // required by the definition; the Go standard library is spelt `pkg:golang/stdlib@…` without
  // one (osv-scanner, Syft, Trivy, vouch), and is the one module path without a host
  golang: { namespace: 'required' },
  hackage: { namespace: 'prohibited' },
  hex: { namespace: 'optional', lower: LOWER_BOTH },
  huggingface: { namespace: 'required', lower: { version: true } },
  julia: { namespace: 'prohibited', qualifiers: ['uuid'] },
  luarocks: { namespace: 'optional', lower: LOWER_BOTH },
  maven: { namespace: 'required' },
  mlflow: {
    namespace: 'prohibited',
    // "for Databricks, it is case insensitive and shall be lowercased"; Azure ML keeps the case
    normalize: (p) => (isDatabricks(p.qualifiers?.['repository_url']) && p.name !== p.name.toLowerCase() ? { ...p, name: p.name.toLowerCase() } : p),
  },
  npm: { namespace: 'optional' },
  nuget: { namespace: 'prohibited' },
  oci: { namespace: 'prohibited', lower: { name: true, version: true } },
  opam: { namespace: 'prohibited' },
  otp: { namespace: 'prohibited', lower: { name: true, subpath: true } },
  pub: {
    namespace: 'prohibited',
    lower: LOWER_NAME,
    // "Replace non-[a-z] letters, non-[0-9] digits with underscore _"
    normalize: (p) => (/[^a-z0-9_]/.test(p.name) ? { ...p, name: p.name.replace(/[^a-z0-9_]/g, '_') } : p),
  },
  pypi: {
    namespace: 'prohibited',
    lower: { name: true, version: true },
    // "Replace underscore _ with dash -"
    normalize: (p) => (p.name.includes('_') ? { ...p, name: p.name.replace(/_/g, '-') } : p),
  },
  qpkg: { namespace: 'required', lower: { namespace: true } },
  rpm: { namespace: 'required', lower: { namespace: true } },
  swid: { namespace: 'optional', qualifiers: ['tag_id'] },
  swift: { namespace: 'required' },
  vcpkg: { namespace: 'prohibited' },
  'vscode-extension': { namespace: 'required', lower: { namespace: true, name: true, version: true } },
  yocto: { namespace: 'optional', lower: { namespace: true } },
};

/** Purls whose type requires a namespace but which are written without one by every tool that writes them. */
export function namespaceExempt(p: PurlParts): boolean {
  return p.type === 'golang' && p.name === 'stdlib';
}
