#!/usr/bin/env node
// The README's actions reference, generated from the action.yml files so that the two cannot
// disagree: `node scripts/action-docs.mjs` rewrites the block between the markers in docs/actions.md;
// `--check` changes nothing and fails when the block is out of date, or when an action's own
// README lists other inputs, outputs or defaults than its action.yml.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The page holding the actions reference. */
export const DOC = 'docs/actions.md';
export const START = '<!-- actions:start -->';
export const END = '<!-- actions:end -->';
/** How the README and the templates reference the actions; pin to a release's SHA in use. */
export const REF = 'v0';
/** Inputs every step takes with the same default; a README may document them in one row. */
const COMMON_DEFAULTS = { config: 'modelship.yml', 'working-directory': '.' };
const COMMON_TOKEN = '${{ github.token }}';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Inputs and outputs of one action.yml, in file order. */
export function readManifest(path) {
  const doc = parse(readFileSync(path, 'utf8')) ?? {};
  const entries = (map) => Object.entries(map ?? {});
  return {
    name: String(doc.name ?? ''),
    description: String(doc.description ?? ''),
    inputs: entries(doc.inputs).map(([name, spec]) => ({
      name,
      description: String(spec?.description ?? ''),
      required: spec?.required === true || spec?.required === 'true',
      default: spec?.default === undefined ? undefined : String(spec.default),
    })),
    outputs: entries(doc.outputs).map(([name, spec]) => ({
      name,
      description: String(spec?.description ?? ''),
    })),
  };
}

/** Every actions/<step> with an action.yml, in flow order, with its README when there is one. */
export function readActions(root = ROOT) {
  const dir = join(root, 'actions');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'action.yml')))
    .map((e) => e.name)
    .sort((a, b) => flowRank(a) - flowRank(b) || a.localeCompare(b))
    .map((step) => {
      const readmePath = join(dir, step, 'README.md');
      const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : undefined;
      return {
        step,
        manifest: readManifest(join(dir, step, 'action.yml')),
        readme,
        permissions: readme === undefined ? undefined : readmePermissions(readme),
      };
    });
}

function flowRank(step) {
  const rank = FLOW_ORDER.indexOf(step);
  return rank < 0 ? FLOW_ORDER.length : rank;
}

/** The first `permissions:` mapping in the README's yaml examples: what the action needs. */
export function readmePermissions(readme) {
  for (const [, code] of readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
    let doc;
    try {
      doc = parse(code);
    } catch {
      continue;
    }
    const found = findKey(doc, 'permissions');
    if (found && typeof found === 'object') return found;
  }
  // Else a "Permissions" section that names them in prose: `contents: read`, `issues: write`.
  const section = readme.match(/^#+\s*Permissions[^\n]*\n([\s\S]*?)(?=^#|(?![\s\S]))/m)?.[1];
  const pairs = [...(section ?? '').matchAll(/`([a-z-]+): (read|write|none)`/g)];
  return pairs.length ? Object.fromEntries(pairs.map((m) => [m[1], m[2]])) : undefined;
}

function findKey(node, key) {
  if (!node || typeof node !== 'object') return undefined;
  if (!Array.isArray(node) && key in node) return node[key];
  for (const value of Object.values(node)) {
    const found = findKey(value, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The order of the flows (docs/architecture.md); steps not named here follow, by name. */
const FLOW_ORDER = [
  'validate-data',
  'train',
  'evaluate',
  'gate',
  'publish-model',
  'deploy',
  'drift-check',
];

const cell = (text) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
/** Prose from action.yml for markdown: `<name>` outside code spans would be eaten as HTML. */
const prose = (text) =>
  cell(text)
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
const code = (text) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

function defaultCell(input) {
  if (input.required) return '(required)';
  return input.default ? code(input.default) : '';
}

function inputsTable(inputs) {
  return [
    '| input | default | description |',
    '|---|---|---|',
    ...inputs.map((i) => `| \`${i.name}\` | ${cell(defaultCell(i))} | ${prose(i.description)} |`),
  ];
}

function outputsTable(outputs) {
  return [
    '| output | description |',
    '|---|---|',
    ...outputs.map((o) => `| \`${o.name}\` | ${prose(o.description)} |`),
  ];
}

/** The generated markdown between the markers: one section per action, then the root action. */
export function renderActionsBlock(actions, rootManifest) {
  const lines = [
    START,
    '<!-- Generated by `npm run docs` from actions/*/action.yml and action.yml: edit those. -->',
    '',
  ];
  for (const { step, manifest, permissions } of actions) {
    const perms = permissions
      ? Object.entries(permissions)
          .map(([scope, level]) => `\`${scope}: ${level}\``)
          .join(', ')
      : `see [its README](../actions/${step}/README.md)`;
    lines.push(
      `### \`${step}\``,
      '',
      prose(manifest.description),
      '',
      `\`uses: modelship/modelship/actions/${step}@${REF}\` · [README](../actions/${step}/README.md) · permissions: ${perms}`,
      '',
      ...inputsTable(manifest.inputs),
      '',
      ...(manifest.outputs.length ? [...outputsTable(manifest.outputs), ''] : []),
    );
  }
  if (rootManifest) {
    lines.push(
      `### The root action`,
      '',
      `\`uses: modelship/modelship@${REF}\` runs any step by name, \`with: { command: <step>, … }\`; each input applies to the steps its description names (the train step's \`command\` is \`train-command\` here).`,
      '',
      '<details><summary>Inputs and outputs of the root action</summary>',
      '',
      ...inputsTable(rootManifest.inputs),
      '',
      ...outputsTable(rootManifest.outputs),
      '',
      '</details>',
      '',
    );
  }
  lines.push(END);
  return lines.join('\n');
}

/** README text with the block between the markers replaced. */
export function replaceBlock(readme, block) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`${DOC} has no ${START} … ${END} block to write the actions reference into.`);
  }
  return readme.slice(0, start) + block + readme.slice(end + END.length);
}

/** Rows of every markdown table whose first header cell is `header`, as arrays of cells. */
function tableRows(readme, header) {
  const rows = [];
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const cells = splitRow(lines[i]);
    if (!cells || cells[0]?.toLowerCase() !== header) continue;
    for (i += 2; i < lines.length; i++) {
      const row = splitRow(lines[i]);
      if (!row) break;
      rows.push(row);
    }
  }
  return rows;
}

function splitRow(line) {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|')) return undefined;
  return trimmed
    .slice(1, trimmed.endsWith('|') ? -1 : undefined)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

const backticked = (text) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** Output names from a table, or from prose: "Outputs: `a`, `b`." or an "## Outputs" paragraph. */
function documentedOutputs(readme) {
  const rows = tableRows(readme, 'output');
  if (rows.length) return rows.flatMap((r) => backticked(r[0] ?? ''));
  const prose =
    readme.match(/^Outputs?:([^\n]*(?:\n(?!\n)[^\n]*)*)/m)?.[1] ??
    readme.match(/^#+\s*Outputs?\s*\n\n((?:[^\n]+\n?)+)/m)?.[1];
  if (prose === undefined) return [];
  // The first sentence; values in parentheses, e.g. `cache-hit` (`exact`, …), are not outputs.
  const sentence = prose.split(/\.(?:\s|$)/)[0] ?? '';
  return backticked(sentence.replace(/\([^)]*\)/g, ''));
}

/** Where an action's README disagrees with its action.yml; empty when it lists exactly the same. */
export function readmeMismatches({ step, manifest, readme }) {
  if (readme === undefined) return [`actions/${step}/README.md is missing.`];
  const where = `actions/${step}/README.md`;
  const problems = [];
  const documented = new Map();
  for (const row of tableRows(readme, 'input')) {
    for (const name of backticked(row[0] ?? '')) documented.set(name, row[1] ?? '');
  }
  const declared = new Map(manifest.inputs.map((i) => [i.name, i]));
  for (const input of manifest.inputs) {
    if (!documented.has(input.name)) {
      problems.push(`${where} does not list the input \`${input.name}\`.`);
      continue;
    }
    const text = documented.get(input.name);
    const sharedRow = /as every step/i.test(text);
    if (input.required) {
      if (!/required/i.test(text))
        problems.push(`${where}: input \`${input.name}\` is required, the README says "${text}".`);
    } else if (/\(required\)/i.test(text)) {
      problems.push(`${where}: input \`${input.name}\` is optional, the README says required.`);
    } else if (input.default && sharedRow) {
      const common =
        input.name === 'github-token' ? COMMON_TOKEN : (COMMON_DEFAULTS[input.name] ?? undefined);
      if (common !== input.default)
        problems.push(
          `${where}: input \`${input.name}\` defaults to \`${input.default}\`, not as every step.`,
        );
    } else if (input.default && !backticked(text).includes(input.default)) {
      problems.push(
        `${where}: input \`${input.name}\` defaults to \`${input.default}\`, the README says "${text}".`,
      );
    }
  }
  for (const name of documented.keys()) {
    if (!declared.has(name))
      problems.push(`${where} lists the input \`${name}\`, not in action.yml.`);
  }
  const outputs = documentedOutputs(readme);
  const declaredOutputs = new Set(manifest.outputs.map((o) => o.name));
  for (const name of declaredOutputs) {
    if (!outputs.includes(name)) problems.push(`${where} does not list the output \`${name}\`.`);
  }
  for (const name of outputs) {
    if (!declaredOutputs.has(name))
      problems.push(`${where} lists the output \`${name}\`, not in action.yml.`);
  }
  return problems;
}

function main(argv) {
  const check = argv.includes('--check');
  const actions = readActions(ROOT);
  const rootManifest = readManifest(join(ROOT, 'action.yml'));
  const readmePath = join(ROOT, DOC);
  const current = readFileSync(readmePath, 'utf8');
  const updated = replaceBlock(current, renderActionsBlock(actions, rootManifest));
  const problems = actions.flatMap(readmeMismatches);
  if (check) {
    if (updated !== current)
      problems.unshift(`${DOC}: the actions reference is out of date; run \`npm run docs\`.`);
  } else if (updated !== current) {
    writeFileSync(readmePath, updated);
    console.log(`${DOC}: actions reference updated.`);
  }
  for (const problem of problems) console.error(problem);
  return problems.length ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
