// drift.yml's rollback: the only job with deployments: write and packages: write, the tag reaching
// the deploy action through env (never into a script), and the script that finds the model of a
// tag run by bash on the matrix the affected action writes.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflow, type Job } from '../support/workflowFile.js';
import { useTempDir } from '../support/tempDir.js';

const ROOT = resolve(import.meta.dirname, '../..');
const wf = loadWorkflow(join(ROOT, 'workflows-templates/drift.yml'));
const rollback = wf.jobs.rollback as Job & { if: string };
const target = wf.jobs['rollback-target'] as Job & { if: string };
const dir = useTempDir();

const MATRIX = JSON.stringify([
  { name: 'credit', config: 'credit/modelship.yml', directory: 'credit' },
  { name: 'credit-risk', config: 'risk/modelship.yml', directory: 'risk' },
]);

/** Runs the rollback-target job's "find the model" script as the runner would, with TAG and MATRIX. */
function findModel(tag: string): { status: number | null; output: string; stdout: string } {
  const step = target.steps!.find((s) => s.id === 'model')!;
  const output = join(dir, `output-${tag.replace(/\W/g, '_')}`);
  writeFileSync(output, '');
  const result = spawnSync('bash', ['-e', '-c', step.run!], {
    env: { PATH: process.env.PATH, TAG: tag, MATRIX, GITHUB_OUTPUT: output },
    encoding: 'utf8',
  });
  return { status: result.status, output: readFileSync(output, 'utf8'), stdout: result.stdout };
}

describe('drift.yml: the rollback job', () => {
  it('alone holds deployments: write and packages: write', () => {
    expect(rollback.permissions).toEqual({
      contents: 'read',
      packages: 'write',
      deployments: 'write',
    });
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (name === 'rollback') continue;
      const granted = (job.permissions ?? {}) as Record<string, string>;
      expect(granted.deployments ?? 'none', name).not.toBe('write');
      expect(granted, name).not.toHaveProperty('packages');
    }
  });

  it('lets drift-check read the deployments: which version runs, and where to go back to', () => {
    expect(wf.jobs['drift-check']!.permissions).toMatchObject({ deployments: 'read' });
  });

  it("runs on drift-check's rollback-to or a dispatched rollback-to, which skips the checks", () => {
    expect(wf.jobs['drift-check']!.outputs).toMatchObject({
      'rollback-to': '${{ steps.drift.outputs.rollback-to }}',
      'rollback-reason': '${{ steps.drift.outputs.rollback-reason }}',
    });
    for (const job of [target, rollback]) {
      expect(job.if).toContain("needs.drift-check.outputs.rollback-to != ''");
      expect(job.if).toContain("inputs.rollback-to != ''");
    }
    expect(rollback.if).toContain("needs.rollback-target.result == 'success'");
    expect((wf.jobs['drift-check'] as Job & { if: string }).if).toContain(
      "inputs.rollback-to == ''",
    );
    for (const job of [target, rollback])
      expect(job.env).toMatchObject({
        TAG: '${{ inputs.rollback-to || needs.drift-check.outputs.rollback-to }}',
      });
    const deploy = rollback.steps!.find((s) => s.uses?.includes('/actions/deploy@'))!;
    expect(deploy.with).toMatchObject({
      version: '${{ env.TAG }}',
      'rollback-reason':
        "${{ needs.drift-check.outputs.rollback-reason || 'rolled back by hand' }}",
      config: '${{ needs.rollback-target.outputs.config }}',
      environment: '${{ inputs.environment }}',
    });
    for (const step of [...target.steps!, ...rollback.steps!])
      expect(step.run ?? '').not.toContain('${{');
  });

  it("deploys in the release workflow's deploy group for the model and environment", () => {
    const release = loadWorkflow(join(ROOT, 'workflows-templates/release.yml'));
    const deployGroup = release.jobs.deploy!.concurrency as { group: string };
    expect(rollback.concurrency).toEqual({
      group: deployGroup.group.replace('matrix.name', 'needs.rollback-target.outputs.name'),
      'cancel-in-progress': false,
    });
    expect(target.permissions).toEqual({});
  });

  it('finds the model of a tag, not one whose name is a prefix of it', () => {
    expect(findModel('credit-risk-v1.2.0')).toMatchObject({
      status: 0,
      output: 'name=credit-risk\nconfig=risk/modelship.yml\n',
    });
    expect(findModel('credit-v0.3.1')).toMatchObject({
      status: 0,
      output: 'name=credit\nconfig=credit/modelship.yml\n',
    });
  });

  it('refuses a tag of no model in the repository, or not a tag, with one error line', () => {
    for (const tag of ['fraud-v1.0.0', 'credit-risk-v1.2', 'credit-risk-v1.2.0; rm -rf /']) {
      const result = findModel(tag);
      expect(result.status, tag).toBe(1);
      expect(result.output, tag).toBe('');
      expect(result.stdout, tag).toContain(`::error::rollback-to ${tag} is not a release tag`);
    }
    // A dispatched tag with a line break stays on the error's line: no workflow command of its own.
    const injected = findModel('x\r\n::add-mask::secret\n::stop-commands::token');
    expect(injected.status).toBe(1);
    expect(injected.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^::error::rollback-to x {2}::add-mask::secret ::stop-commands::token is not/,
      ),
    ]);
  });
});
