// The templates for a repository with several models: pr.yml, release.yml and drift.yml each run
// once for all models, as a matrix over the models the affected step lists; the pull-request flow
// keeps one aggregate status that never waits. (workflowTemplates.test.ts lints them and holds
// them to the security policy.)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadWorkflow, type Job, type Step, type Workflow } from '../support/workflowFile.js';

const DIR = resolve(import.meta.dirname, '../../workflows-templates');
const load = (file: string) => loadWorkflow(join(DIR, file));
const own = (job: Job, action: string): Step | undefined =>
  job.steps?.find((s) => s.uses === `modelship/modelship/actions/${action}@v0`);
const needs = (job: Job) => [job.needs ?? []].flat();

/** A matrix job over the affected step's models: fail-fast off, one concurrency group per model. */
function expectModelMatrix(job: Job, from: string, grouped = true): void {
  expect(job.strategy).toEqual({
    'fail-fast': false,
    matrix: { include: `\${{ fromJSON(needs.${from}.outputs.matrix) }}` },
  });
  expect(needs(job)).toContain(from);
  if (grouped) expect(JSON.stringify(job.concurrency)).toContain('${{ matrix.name }}');
}

describe('pr.yml for several models', () => {
  const wf = load('pr.yml');
  const { affected, conclude } = wf.jobs as Record<string, Job>;

  it('lists the affected models first, from the whole history, and sets modelship/gate', () => {
    const checkout = affected!.steps!.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with).toMatchObject({ 'fetch-depth': 0 });
    expect(own(affected!, 'affected')?.with).toEqual({
      'working-directory': '${{ inputs.working-directory }}',
    });
    expect(affected!.permissions).toEqual({ contents: 'read', statuses: 'write' });
    expect(wf.concurrency).toBeUndefined();
  });

  it('runs validate-data, train and evaluate as a matrix over them, each model on its own', () => {
    for (const name of ['validate-data', 'train', 'evaluate']) {
      const job = wf.jobs[name]!;
      expectModelMatrix(job, 'affected');
      const step = own(job, name)!;
      expect(step.with?.config, name).toBe('${{ matrix.config }}');
    }
    expect(needs(wf.jobs.train!)).toEqual(['affected', 'validate-data']);
    // One model's broken data stops its own training only: the train legs run past a failed
    // validate-data job, and each checks its own model's data again before training.
    const train = wf.jobs.train as Job & { if?: string };
    expect(train.if).toBe("${{ !cancelled() && needs.affected.outputs.any == 'true' }}");
    const recheck = train.steps!.findIndex((s) => s.uses?.includes('/actions/validate-data@'));
    const trainStep = train.steps!.findIndex((s) => s.uses?.includes('/actions/train@'));
    expect(recheck).toBeGreaterThan(0);
    expect(recheck).toBeLessThan(trainStep);
    expect(train.steps![recheck]!).toMatchObject({
      if: "needs.validate-data.result != 'success'",
      with: { config: '${{ matrix.config }}' },
    });
    // A model whose training failed does not keep the others from their evaluation.
    expect((wf.jobs.evaluate as Job & { if?: string }).if).toBe(
      "${{ !cancelled() && needs.affected.outputs.any == 'true' }}",
    );
    const download = wf.jobs.evaluate!.steps!.find((s) =>
      s.uses?.startsWith('actions/download-artifact@'),
    );
    expect(download?.with).toMatchObject({ name: 'candidate-${{ matrix.name }}' });
    expect(own(wf.jobs.evaluate!, 'evaluate')?.with?.models).toBe(
      '${{ needs.affected.outputs.models }}',
    );
  });

  it('makes modelship/gate final after every model’s job, whatever became of them', () => {
    expect(needs(conclude!)).toEqual(['affected', 'evaluate']);
    expect((conclude as Job & { if?: string }).if).toContain('always()');
    expect(own(conclude!, 'affected')?.with).toEqual({
      models: '${{ needs.affected.outputs.models }}',
      conclude: true,
    });
    expect(conclude!.permissions).toEqual({ statuses: 'write' });
  });

  it('is called on pull_request and merge_group in its caller snippet', () => {
    const text = readFileSync(join(DIR, 'pr.yml'), 'utf8');
    const snippet = text
      .split('\n')
      .filter((l) => /^#\s{3}/.test(l))
      .map((l) => l.replace(/^#\s{3}/, ''))
      .join('\n');
    const caller = parse(snippet) as Workflow;
    expect(Object.keys(caller.on)).toEqual(['pull_request', 'merge_group']);
  });
});

describe('release.yml for several models', () => {
  const wf = load('release.yml');

  it('publishes, deploys and attests only the models the merge affected, each on its own', () => {
    expect(own(wf.jobs.affected!, 'affected')?.with).toMatchObject({ status: false });
    for (const name of ['publish', 'deploy']) expectModelMatrix(wf.jobs[name]!, 'affected');
    expectModelMatrix(wf.jobs.attest!, 'affected', false);
    // From the model's own candidate artifact (candidate-<model>, the publish step's default).
    const publish = own(wf.jobs.publish!, 'publish-model')!;
    expect(publish.with?.config).toBe('${{ matrix.config }}');
    expect(publish.with).not.toHaveProperty('artifact-name');
    expect(own(wf.jobs.deploy!, 'deploy')?.with?.config).toBe('${{ matrix.config }}');
  });
});

describe('drift.yml for several models', () => {
  const wf = load('drift.yml');

  it('checks every model on the schedule, as a matrix', () => {
    expect(own(wf.jobs.models!, 'affected')?.with).toMatchObject({ all: true, status: false });
    expectModelMatrix(wf.jobs['drift-check']!, 'models');
    expect(own(wf.jobs['drift-check']!, 'drift-check')?.with?.config).toBe('${{ matrix.config }}');
  });
});
