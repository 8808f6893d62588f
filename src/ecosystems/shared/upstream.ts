/**
 * The purl `upstream` qualifier of OS packages, as Syft writes it and Grype reads it: the source
 * package a binary package was built from, `upstream=glibc`, or `upstream=util-linux@2.36.1-8` when
 * the source version differs from the binary's. OS advisories (Debian, Ubuntu, Alpine) are
 * published for source packages, so an SBOM read back without it would be matched by the binary
 * name and miss them.
 */

/** The qualifier value for a package whose advisory identity differs from its own; undefined when it does not. */
export function upstreamQualifier(advisoryName: string | undefined, advisoryVersion: string | undefined, name: string): string | undefined {
  if (advisoryName === undefined && advisoryVersion === undefined) return undefined;
  return advisoryVersion === undefined ? (advisoryName ?? name) : `${advisoryName ?? name}@${advisoryVersion}`;
}

/** The advisory identity an `upstream` qualifier names, relative to the package's own name and version. */
export function parseUpstream(value: string | undefined, name: string, version: string | undefined): { advisoryName?: string; advisoryVersion?: string } {
  const v = value?.trim();
  if (!v) return {};
  const at = v.indexOf('@');
  const srcName = (at < 0 ? v : v.slice(0, at)).trim();
  const srcVersion = at < 0 ? undefined : v.slice(at + 1).trim() || undefined;
  return {
    ...(srcName && srcName !== name ? { advisoryName: srcName } : {}),
    ...(srcVersion && srcVersion !== version ? { advisoryVersion: srcVersion } : {}),
  };
}
