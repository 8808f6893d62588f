/**
 * `vouch provenance`: a SLSA Provenance v1 predicate whose resolved dependencies are the locked
 * packages of the project (purl + the lockfile's hashes); to be signed with
 * `vouch attest --type slsa-provenance`, or written as a whole in-toto Statement (--statement).
 */
import type { Command } from 'commander';
import { buildProvenance } from '../attest/provenance.js';
import { buildStatement, PREDICATE_TYPES, subjectsOf } from '../attest/statement.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { EXIT_CLEAN, VouchError } from '../model/errors.js';
import { createProgress } from './progress.js';
import { repeatable } from './repeatable.js';

interface ProvenanceCliOptions {
  subject?: string[];
  builderId: string;
  lockfile?: string[];
  param?: string[];
  invocationId?: string;
  statement?: boolean;
  output?: string;
  quiet?: boolean;
}

export function registerProvenance(program: Command): void {
  program
    .command('provenance')
    .description('write a SLSA Provenance v1 predicate: builder, parameters, and every locked dependency with its digest')
    .requiredOption('--builder-id <uri>', 'runDetails.builder.id: the URI of the build platform (e.g. https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main)')
    .option('--subject <file>', 'a build output (repeatable); needed with --statement, where it becomes the statement subject', repeatable)
    .option('--lockfile <path>', 'a lockfile, SBOM or directory whose packages are the resolved dependencies (repeatable; default: the current directory)', repeatable)
    .option('--param <key=value>', 'an external parameter of the build (repeatable)', repeatable)
    .option('--invocation-id <id>', 'runDetails.metadata.invocationId (e.g. the CI run URL)')
    .option('--statement', 'write a whole in-toto Statement v1 (subjects + predicate) instead of the predicate alone')
    .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .addHelpText(
      'after',
      `
Sign the predicate with:
  vouch attest --type slsa-provenance --predicate provenance.json --subject dist/app.tgz --key cosign.key -o app.intoto.sigstore.json
Each resolved dependency is {"uri": "<purl>", "digest": {...}}: the digest comes from the lockfile
(npm integrity sha512, pip --hash, Cargo checksum ...) and is absent where the lockfile has none.
Exit codes: 0 written, 2 usage or input error.`,
    )
    .action(async (opts: ProvenanceCliOptions) => {
      const params: Record<string, string> = {};
      for (const p of opts.param ?? []) {
        const i = p.indexOf('=');
        if (i <= 0) throw new VouchError('USAGE', `--param: "${p}" is not KEY=VALUE`);
        params[p.slice(0, i)] = p.slice(i + 1);
      }
      if (opts.statement && !opts.subject?.length) throw new VouchError('USAGE', '--statement needs at least one --subject FILE');
      const progress = createProgress({ quiet: opts.quiet ?? false });
      progress.phase('reading lockfiles');
      const { predicate, skipped } = await buildProvenance({
        builderId: opts.builderId,
        lockfiles: opts.lockfile?.length ? opts.lockfile : ['.'],
        params,
        ...(opts.invocationId !== undefined ? { invocationId: opts.invocationId } : {}),
        onFile: () => progress.tick(),
      });
      progress.done();
      for (const s of skipped) progress.log(`vouch: skipped ${s}`);
      const doc = opts.statement ? buildStatement(await subjectsOf(opts.subject!), PREDICATE_TYPES['slsa-provenance'], predicate) : predicate;
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      if (opts.output) {
        await writeFileAtomic(opts.output, text);
        progress.log(`vouch: wrote ${opts.output} (${predicate.buildDefinition.resolvedDependencies.length} resolved dependencies)`);
      } else {
        process.stdout.write(text);
      }
      process.exitCode = EXIT_CLEAN;
    });
}
