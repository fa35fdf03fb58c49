import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../core/config/modelshipConfig.js';
import { ModelshipError } from '../core/errors.js';
import {
  checkEarlierOutput,
  checkOutputDirectory,
  writeOutputMarker,
} from '../core/files/outputFiles.js';
import { packageRoot } from './packageInfo.js';
import { writeJson, writeReport } from '../core/report/reportFiles.js';

/** `modelship demo [--all]`: the pipeline on the bundled example (or every example), offline. */
export function registerDemo(program: Command, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('run the pipeline on the bundled credit-risk example, offline')
    .option('--out <dir>', 'where models and reports are written', '.modelship-out/demo')
    .option(
      '--all',
      'run it on every bundled example model (credit-risk and penguins), each into its own folder of --out',
    )
    .action(async (options: { out: string; all?: boolean }) => {
      const started = performance.now();
      const out = resolve(options.out);
      const { loadConfig } = await import('../core/config/modelshipConfig.js');
      const examples = join(packageRoot(), 'examples');
      const configs = options.all
        ? (await import('../core/workspace/discovery.js'))
            .discoverWorkspace(examples)
            .models.map((m) => loadConfig(join(examples, m.config)))
        : [loadConfig(join(examples, 'credit-risk', 'modelship.yml'))];
      // The demo writes models, reports and a bundle into --out: never into a directory of the
      // user's that an earlier demo did not make (the project, the current directory).
      checkOutputDirectory(
        '--out',
        out,
        configs.map((c) => c.dir),
      );
      checkEarlierOutput('--out', out, 'demo');
      mkdirSync(out, { recursive: true });
      writeOutputMarker(out, 'demo');
      const say = (line = '') => process.stdout.write(`${line}\n`);
      const shown = (path: string) => relative(process.cwd(), path) || '.';
      if (options.all)
        say(
          `Modelship demo of a repository with ${configs.length} models: ${configs.map((c) => c.config.model.name).join(', ')}`,
        );
      const gates: string[] = [];
      for (const loaded of configs) {
        const modelOut = options.all ? join(out, loaded.config.model.name) : out;
        if (options.all) say('');
        const passed = await demoModel(loaded, modelOut, say, shown);
        gates.push(`${loaded.config.model.name} ${passed ? 'passed' : 'failed'}`);
      }
      if (options.all)
        say(
          `\nmodelship/gate, the one status branch protection requires: the gates of every model (${gates.join(', ')}).`,
        );
      say(
        `\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s. Reports are in ${shown(out)}.`,
      );
      setExit(0);
    });
}

/** The pipeline on one example model, into `out`; returns whether its gate passed. */
async function demoModel(
  loaded: LoadedConfig,
  out: string,
  say: (line?: string) => void,
  shown: (p: string) => string,
): Promise<boolean> {
  const { evaluate } = await import('../core/evaluation/evaluate.js');
  const { evaluationMarkdown } = await import('../core/report/evaluationMarkdown.js');
  const { driftStep, packageStep, serveStep } = await import('./demoServeDrift.js');
  mkdirSync(out, { recursive: true });
  say(
    `Modelship demo: ${loaded.config.model.name} in ${shown(loaded.dir)}, outputs in ${shown(out)}`,
  );

  say('\n1. validate-data: the data contract on every data file');
  const valid = await validateAll(loaded, out, say, shown);
  if (!valid)
    throw new ModelshipError(
      `the data of the example ${loaded.config.model.name} breaks its contract; see the reports above.`,
    );

  say('\n2. train: the production model (a release from earlier) and the candidate of this PR');
  const production = join(out, 'production', 'model.onnx');
  const candidate = join(out, 'candidate', 'model.onnx');
  // "Production" was trained on half the data with heavy regularisation: the candidate improves on it.
  const half = Math.floor(csvRows(loaded) / 2);
  train(loaded, production, ['--rows', String(half), '--l2', '30'], say);
  train(loaded, candidate, [], say);

  say('\n3. evaluate + gate: candidate against production on the holdout, metrics and fairness');
  const report = await evaluate({
    config: loaded,
    model: candidate,
    baseline: { path: production, label: 'production' },
  });
  writeJson(join(out, 'evaluate.json'), report);
  writeReport(join(out, 'evaluate.md'), evaluationMarkdown(report));
  for (const [metric, value] of Object.entries(report.metrics)) {
    const base = report.baseline?.metrics[metric];
    say(`   ${metric.padEnd(9)} ${fmt(base)} → ${fmt(value)}`);
  }
  say(
    `   gate ${report.gate.passed ? 'PASSED' : 'FAILED'}: ${report.gate.checks.filter((c) => c.passed).length} of ${report.gate.checks.length} checks passed`,
  );
  for (const check of report.gate.checks.filter((c) => !c.passed)) say(`     ✗ ${check.message}`);
  say(`   the PR comment a reviewer would see → ${shown(join(out, 'evaluate.md'))}`);

  say(
    `\n4. package: the release bundle publish-model uploads on merge${report.gate.passed ? '' : ' (a failed gate blocks the merge in a repository; the demo goes on to show the rest)'}`,
  );
  const bundle = await packageStep(loaded, candidate, report, out, say, shown);

  say('\n5. serve: the bundle behind the Open Inference Protocol v2, /predict and /metrics');
  await serveStep(bundle, say);

  say('\n6. drift-check: the shifted current data against the release profile');
  await driftStep(loaded, bundle, out, say, shown);
  return report.gate.passed;
}

/** The data rows of an example's data.train (a CSV with a header line). */
function csvRows(loaded: LoadedConfig): number {
  const train = loaded.config.data.train;
  if (!train) throw new ModelshipError(`${loaded.file}: data.train is not set.`);
  return readFileSync(loaded.resolve(train), 'utf8').trimEnd().split('\n').length - 1;
}

async function validateAll(
  loaded: LoadedConfig,
  out: string,
  say: (line: string) => void,
  shown: (p: string) => string,
): Promise<boolean> {
  const schemaPath = loaded.config.data.schema;
  if (!schemaPath) throw new ModelshipError(`${loaded.file}: data.schema is not set.`);
  const { loadDataContract } = await import('../core/config/dataContract.js');
  const { validateData } = await import('../core/data/validate.js');
  const { validationMarkdown } = await import('../core/report/validationMarkdown.js');
  const { contract, file } = loadDataContract(loaded.resolve(schemaPath));
  let ok = true;
  for (const split of ['train', 'eval', 'current'] as const) {
    const path = loaded.config.data[split];
    if (!path) continue;
    const report = await validateData(loaded.resolve(path), contract, { schemaFile: file });
    const json = join(out, `validate-${split}.json`);
    writeJson(json, report);
    writeReport(join(out, `validate-${split}.md`), validationMarkdown(report));
    const errors = report.violations.filter((v) => v.severity === 'error').length;
    say(
      `   ${report.ok ? 'PASS' : 'FAIL'} ${split.padEnd(7)} ${String(report.rows).padStart(5)} rows, ${errors} failed checks → ${shown(json)}`,
    );
    ok &&= report.ok;
  }
  return ok;
}

/** Runs the example's train.command the way the train step does, with its environment. */
function train(
  loaded: LoadedConfig,
  modelPath: string,
  args: string[],
  say: (line: string) => void,
): void {
  const command = loaded.config.train.command;
  if (!command) throw new ModelshipError(`${loaded.file}: train.command is not set.`);
  const result = spawnSync(`${command} ${args.join(' ')}`, {
    cwd: loaded.dir,
    shell: true,
    encoding: 'utf8',
    env: {
      ...process.env,
      // The node running this demo runs the trainer too.
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
      MODELSHIP_CONFIG: loaded.file,
      MODELSHIP_MODEL_PATH: modelPath,
      MODELSHIP_OUTPUT_DIR: dirname(modelPath),
    },
  });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`
      .trim()
      .split('\n')
      .slice(-5)
      .join(' | ');
    throw new ModelshipError(
      `train.command "${command}" exited with ${result.status ?? result.signal}: ${tail}`,
    );
  }
  say(`   ${result.stdout.trim()}`);
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? '   —  ' : value.toFixed(4);
}
