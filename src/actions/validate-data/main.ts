import { relative } from 'node:path';
import * as core from '@actions/core';
import { loadDataContract } from '../../core/config/dataContract.js';
import { validateData } from '../../core/data/validate.js';
import type { ValidationReport } from '../../core/data/validationReport.js';
import { ModelshipError } from '../../core/errors.js';
import { checkOutputFiles, writeJson } from '../../core/report/reportFiles.js';
import { validationMarkdown } from '../../core/report/validationMarkdown.js';
import { readValidateDataInputs } from './inputs.js';

/** validate-data: the data contract check, with annotations, a job summary and outputs. */
export async function run(): Promise<void> {
  const inputs = readValidateDataInputs();
  checkOutputFiles(
    [{ flag: 'report-path', path: inputs.reportPath }],
    [inputs.data, inputs.schema],
  );
  const { contract } = loadDataContract(inputs.schema);
  const report = await validateData(inputs.data, contract, {
    schemaFile: relative(inputs.workspace, inputs.schema),
  });
  report.data = relative(inputs.workspace, inputs.data) || inputs.dataLabel;
  writeJson(inputs.reportPath, report);
  annotate(report, inputs.workspace, inputs.data);
  await core.summary.addRaw(validationMarkdown(report)).write();
  core.setOutput('ok', String(report.ok));
  core.setOutput('report', inputs.reportPath);
  const errors = report.violations.filter((v) => v.severity === 'error').length;
  const warnings = report.violations.length - errors;
  if (!report.ok) {
    throw new ModelshipError(
      `${report.data} breaks its data contract: ${errors} check${errors > 1 ? 's' : ''} failed (see the annotations and the job summary).`,
    );
  }
  if (warnings && inputs.failOnWarning) {
    throw new ModelshipError(
      `${report.data} passed its data contract with ${warnings} warning${warnings > 1 ? 's' : ''}, and fail-on-warning is set.`,
    );
  }
  core.info(
    `${report.data}: data contract passed (${report.rows} rows${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}).`,
  );
}

/** One annotation per failed check, on the data file and line of its first example. */
function annotate(report: ValidationReport, workspace: string, dataPath: string): void {
  for (const v of report.violations) {
    const example = v.examples[0];
    const file = relative(workspace, example?.file ?? report.files[0] ?? dataPath);
    // Line = data row + 1 for the header (exact unless quoted values span lines).
    const properties: core.AnnotationProperties = {
      title: `Data contract: ${v.column ?? 'rows'} ${v.check}`,
      file,
      startLine: example ? example.row + 1 : 1,
    };
    if (v.severity === 'error') core.error(v.message, properties);
    else core.warning(v.message, properties);
  }
}
