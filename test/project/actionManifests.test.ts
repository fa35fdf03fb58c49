// Every action.yml read by GitHub's own parser, checked against the interface docs/actions.md
// promises, and against the docs: each action's README and the README's generated reference.
// Iterates over whatever actions/<step>/action.yml exist, so new actions are covered as they land.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadWorkflowParser } from '../support/workflowParser.js';

const ROOT = resolve(import.meta.dirname, '../..');
const STEPS = readdirSync(join(ROOT, 'actions'))
  .filter((step) => existsSync(join(ROOT, 'actions', step, 'action.yml')))
  .sort();
const MANIFESTS = ['action.yml', ...STEPS.map((step) => `actions/${step}/action.yml`)];

/** docs/actions.md: the key inputs and outputs of each action. */
const CONTRACT: Record<string, { inputs: string[]; outputs: string[] }> = {
  'validate-data': { inputs: ['data', 'schema'], outputs: ['ok', 'report'] },
  train: {
    inputs: ['command', 'gpu', 'cache-paths', 'cache-key', 'timeout-minutes', 'artifact-name'],
    outputs: ['model-path', 'manifest', 'gpu-count'],
  },
  evaluate: {
    inputs: ['model', 'baseline', 'comment', 'fail-on-gate'],
    outputs: ['report', 'passed', 'comment-url'],
  },
  gate: { inputs: ['report'], outputs: ['passed'] },
  'publish-model': {
    inputs: ['model', 'version', 'bump'],
    outputs: ['tag', 'version', 'release-url'],
  },
  deploy: {
    inputs: ['version', 'image', 'builder', 'environment', 'smoke-test'],
    outputs: ['image', 'digest', 'deployment-id'],
  },
  'drift-check': {
    inputs: ['current', 'reference', 'open-issue', 'open-pr'],
    outputs: ['drifted', 'drift-share', 'issue-number', 'pr-number'],
  },
};

/** Every action takes these, with these defaults (docs/actions.md). */
const COMMON_INPUTS: Record<string, string | undefined> = {
  config: 'modelship.yml',
  'github-token': '${{ github.token }}',
  'working-directory': undefined,
};

interface Manifest {
  name: string;
  description: string;
  inputs: { name: string; description: string; required: boolean; default?: string }[];
  outputs: { name: string; description: string }[];
}
interface ActionDocs {
  readManifest(path: string): Manifest;
  readActions(root?: string): {
    step: string;
    manifest: Manifest;
    readme?: string;
    permissions?: Record<string, string>;
  }[];
  renderActionsBlock(actions: ReturnType<ActionDocs['readActions']>, root?: Manifest): string;
  replaceBlock(readme: string, block: string): string;
  readmeMismatches(action: { step: string; manifest: Manifest; readme?: string }): string[];
  readmePermissions(readme: string): Record<string, string> | undefined;
  START: string;
  END: string;
}
// A plain .mjs script (it runs without a build); typed here by what the tests use.
const docs = (await import(
  pathToFileURL(join(ROOT, 'scripts/action-docs.mjs')).href
)) as ActionDocs;

const { NoOperationTraceWriter, convertActionTemplate, parseAction } = await loadWorkflowParser();

/** An action.yml through @actions/workflow-parser: its errors, and the typed template. */
function parseManifest(path: string) {
  const result = parseAction(
    { name: path, content: readFileSync(join(ROOT, path), 'utf8') },
    new NoOperationTraceWriter(),
  );
  const errors = result.context.errors.getErrors().map((e) => e.message);
  const template = result.value ? convertActionTemplate(result.context, result.value) : undefined;
  return { errors, template };
}

describe('action.yml files, through GitHub’s parser', () => {
  it('finds the root action and at least the five first steps', () => {
    expect(STEPS).toEqual(
      expect.arrayContaining(['validate-data', 'train', 'evaluate', 'gate', 'publish-model']),
    );
  });

  it.each(MANIFESTS)('%s parses with no errors and runs on node24', (path) => {
    const { errors, template } = parseManifest(path);
    expect(errors).toEqual([]);
    expect(template?.runs).toMatchObject({ using: 'node24' });
    expect(template?.description).not.toBe('');
    for (const input of template?.inputs ?? []) expect(input.description, input.id).toBeTruthy();
    for (const output of template?.outputs ?? [])
      expect(output.description, output.id).toBeTruthy();
  });

  it('rejects what GitHub rejects, so a clean parse means something', () => {
    const result = parseAction(
      {
        name: 'bad/action.yml',
        content:
          'name: x\ndescription: y\ninputs:\n  a:\n    descripton: typo\nruns:\n  using: node99\n',
      },
      new NoOperationTraceWriter(),
    );
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it.each(MANIFESTS)('%s reads the same with the docs script as with GitHub’s parser', (path) => {
    const { template } = parseManifest(path);
    const ours = docs.readManifest(join(ROOT, path));
    expect(ours.inputs.map((i) => [i.name, i.default ?? '', i.required])).toEqual(
      (template?.inputs ?? []).map((i) => [i.id, i.default?.toString() ?? '', i.required ?? false]),
    );
    expect(ours.outputs.map((o) => o.name)).toEqual((template?.outputs ?? []).map((o) => o.id));
  });

  it.each(STEPS)('actions/%s takes the common inputs and its docs/actions.md contract', (step) => {
    const { template } = parseManifest(`actions/${step}/action.yml`);
    const inputs = new Map((template?.inputs ?? []).map((i) => [i.id, i]));
    for (const [name, value] of Object.entries(COMMON_INPUTS)) {
      expect(inputs.has(name), `input ${name}`).toBe(true);
      if (value !== undefined) expect(inputs.get(name)?.default?.toString(), name).toBe(value);
    }
    const contract = CONTRACT[step];
    if (!contract) return;
    expect([...inputs.keys()]).toEqual(expect.arrayContaining(contract.inputs));
    expect((template?.outputs ?? []).map((o) => o.id)).toEqual(
      expect.arrayContaining(contract.outputs),
    );
  });
});

/** The yaml blocks of a README, parsed. */
function yamlExamples(readme: string): unknown[] {
  return [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((m) => parseYaml(m[1]!));
}

/** Every step (a mapping with `uses` or `run`) in a parsed example, however deep. */
function exampleSteps(node: unknown): { uses?: unknown; run?: unknown }[] {
  if (Array.isArray(node)) return node.flatMap(exampleSteps);
  if (typeof node !== 'object' || node === null) return [];
  const own = 'uses' in node || 'run' in node ? [node as { uses?: unknown; run?: unknown }] : [];
  return [...own, ...Object.values(node).flatMap(exampleSteps)];
}

describe.each([...STEPS.map((step) => `actions/${step}/README.md`), 'README.md'])(
  '%s examples follow the workflow templates’ policy',
  (file) => {
    const readme = readFileSync(join(ROOT, file), 'utf8');
    const found = () => exampleSteps(yamlExamples(readme));

    it('has yaml examples that parse, with at least one step', () => {
      expect(found().length).toBeGreaterThan(0);
    });

    it('puts no expression inside run: (values reach scripts through env:)', () => {
      for (const { run } of found()) {
        if (run !== undefined) expect(String(run)).not.toContain('${{');
      }
    });

    it('pins third-party actions to a full commit SHA with its version in a comment', () => {
      for (const { uses } of found()) {
        const ref = String(uses ?? '');
        if (!ref || ref.startsWith('./') || ref.startsWith('modelship/modelship')) continue;
        expect(ref, 'pinned by SHA').toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(readme, ref).toMatch(new RegExp(`${ref.replace(/[./]/g, '\\$&')} # v\\d`));
      }
    });
  },
);

describe('action docs', () => {
  const actions = docs.readActions(ROOT);

  it.each(STEPS)('actions/%s/README.md lists exactly its inputs, outputs and defaults', (step) => {
    const action = actions.find((a) => a.step === step)!;
    expect(docs.readmeMismatches(action)).toEqual([]);
  });

  it.each(STEPS)('actions/%s/README.md shows the permissions it needs', (step) => {
    expect(actions.find((a) => a.step === step)?.permissions).toBeTruthy();
  });

  it('the README’s actions reference is what scripts/action-docs.mjs generates', () => {
    // The script's own --check, as CI and `npm run docs:check` run it.
    const check = spawnSync(process.execPath, ['scripts/action-docs.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const readme = readFileSync(join(ROOT, 'docs/actions.md'), 'utf8');
    for (const step of STEPS) expect(readme).toContain(`### \`${step}\``);
  });

  const evaluate = () => structuredClone(actions.find((a) => a.step === 'evaluate')!);

  it('reports an input, an output or a default the README gets wrong', () => {
    const action = evaluate();
    action.readme = action
      .readme!.replace(/^\| `comment` .*\n/m, '')
      .replace('| `baseline` | `production` |', '| `baseline` | `none` |')
      .replace('| `passed` |', '| `passed` |\n| `verdict` | made up |');
    expect(docs.readmeMismatches(action)).toEqual([
      'actions/evaluate/README.md: input `baseline` defaults to `production`, the README says "`none`".',
      'actions/evaluate/README.md does not list the input `comment`.',
      'actions/evaluate/README.md lists the output `verdict`, not in action.yml.',
    ]);
  });

  it('reports an input the README lists that action.yml lacks, and a wrong "required"', () => {
    const action = evaluate();
    action.manifest.inputs = action.manifest.inputs.filter((i) => i.name !== 'data');
    action.manifest.inputs[0]!.required = true;
    const problems = docs.readmeMismatches(action);
    expect(problems).toContain(
      'actions/evaluate/README.md lists the input `data`, not in action.yml.',
    );
    expect(problems.some((p) => p.includes('input `model` is required'))).toBe(true);
  });

  it('reads outputs written as prose ("Outputs: `a`, `b`.") and in a table', () => {
    const manifest: Manifest = {
      name: 'x',
      description: 'x',
      inputs: [{ name: 'data', description: 'd', required: false, default: '' }],
      outputs: [
        { name: 'a', description: 'a' },
        { name: 'b', description: 'b' },
      ],
    };
    const table = '| input | default | meaning |\n|---|---|---|\n| `data` | (none) | d |\n\n';
    const prose = `${table}Outputs: \`a\` (\`yes\`, \`no\`), \`b\`. Also \`c\` is mentioned.\n`;
    expect(docs.readmeMismatches({ step: 'x', manifest, readme: prose })).toEqual([]);
    const missing = `${table}Output: \`a\`.\n`;
    expect(docs.readmeMismatches({ step: 'x', manifest, readme: missing })).toEqual([
      'actions/x/README.md does not list the output `b`.',
    ]);
  });

  it('finds the permissions in a yaml example, else in a Permissions section', () => {
    const yaml = '```yaml\njobs:\n  a:\n    permissions:\n      contents: read\n```\n';
    expect(docs.readmePermissions(yaml)).toEqual({ contents: 'read' });
    const prose =
      '## Permissions\n\n`contents: write` and `issues: write`.\n\n## Next\n`x: read`\n';
    expect(docs.readmePermissions(prose)).toEqual({ contents: 'write', issues: 'write' });
    expect(docs.readmePermissions('# Nothing\n')).toBeUndefined();
  });

  it('writes the block between the markers and nowhere else', () => {
    const block = docs.renderActionsBlock(actions);
    const text = `intro\n${docs.START}\nold\n${docs.END}\noutro\n`;
    const written = docs.replaceBlock(text, block);
    expect(written.startsWith('intro\n')).toBe(true);
    expect(written.endsWith('\noutro\n')).toBe(true);
    expect(written).not.toContain('\nold\n');
    expect(docs.replaceBlock(written, block)).toBe(written);
    expect(() => docs.replaceBlock('no markers', block)).toThrow(/actions:start/);
    // Placeholders such as <name> survive as text, not as HTML tags GitHub would drop.
    expect(block).toContain('modelship-report-&lt;name&gt;');
  });
});
