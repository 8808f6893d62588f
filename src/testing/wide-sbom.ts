/**
 * A service whose 22 wrappers (com.example:w0 … w21, w3 optional) each depend on log4j-core: 22 paths
 * to it, more than a finding lists (MAX_PATHS). With `api`, the service and log4j-core also depend on
 * log4j-api at the same version.
 */
export function wideSbom(version: string, opts: { api?: boolean } = {}): Buffer {
  const wrappers = Array.from({ length: 22 }, (_, i) => `w${i}`);
  const api = opts.api ? ['log4j-api'] : [];
  return Buffer.from(
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { component: { type: 'application', name: 'wide-service', 'bom-ref': 'app' } },
      components: [
        ...wrappers.map((w) => ({ type: 'library', 'bom-ref': w, group: 'com.example', name: w, version: '1.0.0', purl: `pkg:maven/com.example/${w}@1.0.0`, ...(w === 'w3' ? { scope: 'optional' } : {}) })),
        { type: 'library', 'bom-ref': 'log4j-core', group: 'org.apache.logging.log4j', name: 'log4j-core', version, purl: `pkg:maven/org.apache.logging.log4j/log4j-core@${version}` },
        ...api.map(() => ({ type: 'library', 'bom-ref': 'log4j-api', group: 'org.apache.logging.log4j', name: 'log4j-api', version, purl: `pkg:maven/org.apache.logging.log4j/log4j-api@${version}` })),
      ],
      dependencies: [{ ref: 'app', dependsOn: [...wrappers, ...api] }, ...wrappers.map((w) => ({ ref: w, dependsOn: ['log4j-core'] })), { ref: 'log4j-core', dependsOn: api }],
    }),
  );
}
