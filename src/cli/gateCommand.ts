import type { Command } from 'commander';
import { checkOutputFiles, writeJson } from '../core/report/reportFiles.js';

/** `modelship gate --config <yml> --report <report.json> [--json <file>]` */
export function registerGate(program: Command, setExit: (code: number) => void): void {
  program
    .command('gate')
    .description('apply the gate of the config to a report made elsewhere')
    .option('-c, --config <file>', 'the config', 'modelship.yml')
    .requiredOption(
      '-r, --report <file>',
      'JSON with metrics (and optionally fairness and baseline)',
    )
    .option('--json <file>', 'write the gate result here')
    .action(async (options: { config: string; report: string; json?: string }) => {
      checkOutputFiles([{ flag: '--json', path: options.json }], [options.config, options.report]);
      const { loadConfig } = await import('../core/config/modelshipConfig.js');
      const { applyConfigGate } = await import('../core/gate/configGate.js');
      const { readGateReport } = await import('../core/gate/gateReport.js');
      const { gateText } = await import('../core/report/evaluationText.js');
      const { config } = loadConfig(options.config);
      const report = readGateReport(options.report);
      const gate = applyConfigGate(config, report.candidate, report.baseline);
      if (options.json) writeJson(options.json, gate);
      process.stdout.write(`${gateText(gate)}\n`);
      setExit(gate.passed ? 0 : 1);
    });
}
