import type { DataContract } from '../config/dataContract.js';
import type { CheckName, Example } from './validationReport.js';

interface MessageInput {
  column: string | null;
  check: CheckName;
  count: number;
  of: number;
  rows: number;
  examples: Example[];
  contract: DataContract;
  present?: string[];
}

/** One sentence saying what failed, how often, and an example. */
export function violationMessage(input: MessageInput): string {
  const { column, check, count, of, examples, contract } = input;
  const spec = column ? contract.columns[column] : undefined;
  const share = `${count} of ${of} ${check === 'nullable' ? 'rows' : 'values'} (${percent(count, of)})`;
  const example = examples[0] ? `, e.g. ${quote(examples[0].value)} at row ${examples[0].row}` : '';
  const mostly =
    spec && spec.mostly < 1 && check !== 'nullable'
      ? `; mostly: ${spec.mostly} allows ${percent(Math.floor((1 - spec.mostly) * of + 1e-9), of)}`
      : '';
  switch (check) {
    case 'missing_column': {
      const near = input.present?.find((name) => name.toLowerCase() === column?.toLowerCase());
      return `column "${column}" is missing from the data${near ? ` (found "${near}": names are case-sensitive)` : ''}`;
    }
    case 'extra_column':
      return `column "${column}" is not in the contract (extra_columns: ${contract.extra_columns})`;
    case 'rows': {
      const bounds = contract.rows ?? {};
      const want = [
        bounds.min !== undefined ? `at least ${bounds.min}` : '',
        bounds.max !== undefined ? `at most ${bounds.max}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      return `the data has ${input.rows} rows; the contract requires ${want}`;
    }
    case 'nullable':
      return `${share} are empty in "${column}", which is not nullable${example}`;
    case 'type':
      return `${share} in "${column}" are not of type ${spec?.type}${example}${mostly}`;
    case 'min':
      return `${share} in "${column}" are below the minimum ${spec?.min}${example}${mostly}`;
    case 'max':
      return `${share} in "${column}" are above the maximum ${spec?.max}${example}${mostly}`;
    case 'in':
      return `${share} in "${column}" are not among the ${spec?.in?.length} allowed values${example}${mostly}`;
    case 'pattern':
      return `${share} in "${column}" do not match the pattern ${JSON.stringify(spec?.pattern)}${example}${mostly}`;
    case 'unique':
      return `${share} in "${column}" are repeated values${example}${mostly}`;
  }
}

function percent(count: number, of: number): string {
  if (of === 0) return '0%';
  const value = (100 * count) / of;
  return `${value < 0.01 && value > 0 ? value.toPrecision(2) : value.toFixed(2)}%`;
}

function quote(value: string | null): string {
  if (value === null) return 'an empty value';
  const shown = value.length > 40 ? `${value.slice(0, 37)}…` : value;
  return JSON.stringify(shown);
}
