import type { Command } from 'commander';

/** `modelship models [--root <dir>] [--json]`: every model of the repository. */
export function registerModels(program: Command, _setExit: (code: number) => void): void {
  program
    .command('models')
    .description(
      'list the models of the repository (every modelship.yml, or modelship.workspace.yml) and the paths each depends on',
    )
    .option('--root <dir>', "the repository's root folder", '.')
    .option('--json', 'print JSON instead of text')
    .action(async (options: { root: string; json?: boolean }) => {
      const { discoverWorkspace } = await import('../core/workspace/discovery.js');
      const workspace = discoverWorkspace(options.root);
      if (options.json) {
        const { file, shared, models } = workspace;
        process.stdout.write(
          `${JSON.stringify({ workspace: file ?? null, shared, models }, null, 2)}\n`,
        );
        return;
      }
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const source = workspace.file ?? 'every modelship.yml under the root';
      say(
        `${workspace.models.length} model${workspace.models.length === 1 ? '' : 's'} (${source}):`,
      );
      for (const model of workspace.models) {
        say(`${model.name}  ${model.config}`);
        say(`  depends on: ${model.dependsOn.join(', ')}`);
      }
      if (workspace.shared.length > 0) say(`shared by every model: ${workspace.shared.join(', ')}`);
    });
}
