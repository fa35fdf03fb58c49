import type { Command } from 'commander';

/** `modelship affected --base <sha> [--head <sha>] [--root <dir>] [--json]`. */
export function registerAffected(program: Command, _setExit: (code: number) => void): void {
  program
    .command('affected')
    .description(
      'list the models a change affects: those whose config, data, contract, training folder or paths it touched',
    )
    .requiredOption('--base <sha>', 'the commit the change starts from (a pull request’s base)')
    .option('--head <sha>', 'the commit checked out', 'HEAD')
    .option('--root <dir>', "the repository's root folder", '.')
    .option('--json', 'print JSON instead of text')
    .action(async (options: { base: string; head: string; root: string; json?: boolean }) => {
      const { affectedModels } = await import('../core/workspace/affected.js');
      const result = affectedModels(options.root, options.base, options.head);
      if (options.json) {
        const json = {
          base: result.base ?? null,
          head: result.head,
          everything: result.everything ?? null,
          models: result.affected.map(({ name, config, directory, reasons }) => ({
            name,
            config,
            directory,
            reasons,
          })),
          unaffected: result.unaffected.map((m) => m.name),
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const total = result.affected.length + result.unaffected.length;
      const range = `${result.base?.slice(0, 12) ?? 'no base'}...${result.head.slice(0, 12)}`;
      say(`${result.affected.length} of ${total} models affected (${range}):`);
      for (const model of result.affected)
        say(`${model.name}  ${model.config}  (${model.reasons.join('; ')})`);
      if (result.unaffected.length > 0)
        say(`not affected: ${result.unaffected.map((m) => m.name).join(', ')}`);
    });
}
