import { Command, CommanderError } from 'commander';
import { isModelshipError, messageOf } from '../core/errors.js';
import { registerAffected } from './affectedCommand.js';
import { registerDemo } from './demoCommand.js';
import { registerEvaluate } from './evaluateCommand.js';
import { registerGate } from './gateCommand.js';
import { registerImage } from './imageCommand.js';
import { registerModels } from './modelsCommand.js';
import { registerPackage } from './packageCommand.js';
import { registerRegistry } from './registry/command.js';
import { registerSchema } from './schemaCommand.js';
import { registerServe } from './serveCommand.js';
import { registerShadowReport } from './shadowReportCommand.js';
import { registerProfile } from './profileCommand.js';
import { registerDrift } from './driftCommand.js';
import { registerTrain } from './trainCommand.js';
import { registerValidate } from './validateCommand.js';
import { packageVersion } from './packageInfo.js';

/** Runs the `modelship` command line; returns the exit code (0 ok, 1 check failed, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  const program = new Command('modelship')
    .description(
      'Ship machine learning models from a GitHub repository: data contracts, evaluation, gates, releases, serving and drift checks.',
    )
    .version(packageVersion())
    .exitOverride()
    .configureOutput({
      // One line, as for every other bad input: commander's suggestion lines are folded in.
      outputError: (text, write) =>
        write(
          `modelship: ${text
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (run modelship --help for usage)\n`,
        ),
    });
  registerValidate(program, setExit);
  registerSchema(program, setExit);
  registerEvaluate(program, setExit);
  registerGate(program, setExit);
  registerTrain(program, setExit);
  registerPackage(program, setExit);
  registerRegistry(program, setExit);
  registerDemo(program, setExit);
  registerServe(program, setExit);
  registerShadowReport(program, setExit);
  registerProfile(program, setExit);
  registerDrift(program, setExit);
  registerImage(program, setExit);
  registerModels(program, setExit);
  registerAffected(program, setExit);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isModelshipError(error)) {
      process.stderr.write(`modelship: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`modelship: unexpected error: ${messageOf(error)}\n`);
    if (process.env.MODELSHIP_DEBUG && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    return 2;
  }
}
