import { readFileSync } from 'node:fs';
import { EVAL_CSV } from './evaluateProject.js';

/** The first `n` rows of the credit-risk example's holdout, as a client sends them to /predict. */
export function exampleEvalRows(n: number): Record<string, string>[] {
  const [header, ...lines] = readFileSync(EVAL_CSV, 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.slice(0, n).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, cells[i]!]));
  });
}
