/**
 * `modelship registry list|show|download`: the model registry (GitHub Releases tagged
 * `<model>-v<semver>`) from a terminal, through the same `ModelRegistry` the actions use.
 */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { isModelshipError, messageOf, ModelshipError } from '../../core/errors.js';
import { SHA256SUMS } from '../../core/release/checksums.js';
import { tokenFromEnv } from './repository.js';
import {
  downloadRelease,
  parseQuery,
  productionOf,
  readManifest,
  resolveRelease,
  targetOf,
  type TargetOptions,
} from './target.js';
import { formatSize, listText, showText } from './text.js';

/** `modelship registry list|show|download` */
export function registerRegistry(program: Command, setExit: (code: number) => void): void {
  const registry = program
    .command('registry')
    .description(
      'model versions in the registry: GitHub releases tagged <model>-v<semver>; production is the version deployed to the production environment, else the newest published one',
    );

  withTarget(
    registry
      .command('list')
      .description(
        'every version of the model (of every model when none is named), newest first, marking production, drafts and prereleases',
      ),
  )
    .option('--json', 'print JSON instead of text')
    .action(
      redacting(async (options: TargetOptions & { json?: boolean }) => {
        const target = await targetOf(options);
        const names = target.model ? [target.model] : await target.registry.models();
        const models = [];
        for (const name of names) {
          const versions = await target.registry.list(name);
          const current = await productionOf(target, name);
          const production = versions.find((r) => r.id === current?.id);
          models.push({ name, production, versions });
        }
        if (options.json) {
          const json = {
            repository: target.full,
            models: models.map((m) => ({
              name: m.name,
              production: m.production?.tag ?? null,
              versions: m.versions.map((r) => ({
                version: r.version,
                tag: r.tag,
                production: r === m.production,
                draft: r.draft,
                prerelease: r.prerelease,
                published_at: r.publishedAt,
                created_at: r.createdAt,
                assets: r.assets.length,
                url: r.htmlUrl,
              })),
            })),
          };
          process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        } else {
          process.stdout.write(listText(target, models));
        }
        setExit(0);
      }),
    );

  withTarget(
    registry
      .command('show')
      .argument('<version>', 'production, a version (1.2.0 or v1.2.0) or a release tag')
      .description(
        "one release: its URL, its assets with sizes and digests, and its manifest.json (verified against the release's SHA256SUMS)",
      ),
  )
    .option('--json', 'print JSON instead of text')
    .action(
      redacting(async (text: string, options: TargetOptions & { json?: boolean }) => {
        const target = await targetOf(options);
        const { release, production } = await resolveRelease(target, parseQuery(text, target));
        const manifest = await readManifest(target, release);
        if (options.json) {
          const json = {
            repository: target.full,
            model: release.model,
            version: release.version,
            tag: release.tag,
            url: release.htmlUrl,
            production: release.id === production?.id,
            production_tag: production?.tag ?? null,
            draft: release.draft,
            prerelease: release.prerelease,
            published_at: release.publishedAt,
            created_at: release.createdAt,
            assets: release.assets.map((a) => ({ name: a.name, size: a.size, digest: a.digest })),
            manifest: manifest.kind === 'verified' ? manifest.value : null,
            manifest_note: manifest.kind === 'verified' ? null : manifest.note,
          };
          process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        } else {
          process.stdout.write(showText(release, production, manifest));
        }
        setExit(0);
      }),
    );

  withTarget(
    registry
      .command('download')
      .argument('<version>', 'production, a version (1.2.0 or v1.2.0) or a release tag')
      .description(
        "download a release's assets, each verified against its SHA256SUMS; a file that does not match is refused and nothing is left behind",
      ),
  )
    .option('-o, --out <dir>', 'the directory to write to (default: ./<tag>)')
    .option(
      '--asset <name>',
      'download only this asset (repeatable; default: every asset)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(
      redacting(
        async (text: string, options: TargetOptions & { out?: string; asset?: string[] }) => {
          const target = await targetOf(options);
          const { release } = await resolveRelease(target, parseQuery(text, target));
          const out = resolve(options.out ?? release.tag);
          const files = await downloadRelease(target, release, options.asset, out);
          const shown = relative(process.cwd(), out) || '.';
          const width = Math.max(...files.map((f) => f.name.length));
          for (const file of files) {
            process.stdout.write(
              `  ${file.name.padEnd(width)}  ${formatSize(file.size).padStart(10)}  sha256:${file.sha256}\n`,
            );
          }
          process.stdout.write(
            `downloaded ${files.length} ${files.length === 1 ? 'asset' : 'assets'} of ${release.tag} → ${shown}, verified against ${SHA256SUMS}\n`,
          );
          setExit(0);
        },
      ),
    );
}

function withTarget(command: Command): Command {
  return command
    .option('--model <name>', 'the model name (default: model.name of --config)')
    .option('-c, --config <file>', 'a modelship.yml whose model.name to use')
    .option(
      '--repo <owner/name>',
      'the repository holding the releases (default: GITHUB_REPOSITORY, else the origin remote)',
    );
}

/**
 * Runs an action so that whatever it throws reaches the user without the token in it; errors
 * that are not ours become one sentence, too.
 */
function redacting<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      const token = tokenFromEnv();
      const message = messageOf(error);
      const clean = token ? message.split(token).join('***') : message;
      if (isModelshipError(error)) {
        if (clean === message) throw error;
        throw new ModelshipError(clean, error.exitCode);
      }
      throw new ModelshipError(`reading the registry failed: ${clean}`);
    }
  };
}
