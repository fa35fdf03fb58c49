// Extracts the part of GitHub's OpenAPI description that Modelship's GitHub adapters call, so the
// HTTP fake in test/support/github/ validates every request and response against it without reading the
// 13 MB description (385 MB package) at test time.
//
// Regenerate after adding an operation to OPERATIONS or upgrading @octokit/openapi:
//   node scripts/extract-openapi.mjs          writes test/fixtures/openapi/github-subset.json
//   node scripts/extract-openapi.mjs --check  exits 1 when the committed file is out of date
// The subset is committed; test/github/openapiSubset.test.ts checks that it holds an operation
// for every route the fake serves. The operations keep every
// $ref they reach (schemas, parameters, responses, headers), transitively. Media-type `examples`
// are dropped: they are documentation, not constraints, and would triple the file's size.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The operations the adapters in src/github/ call, as [method, path template]. */
const OPERATIONS = [
  ['get', '/user'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['patch', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['get', '/repos/{owner}/{repo}/pulls'],
  ['get', '/repos/{owner}/{repo}/commits/{commit_sha}/pulls'],
  ['post', '/repos/{owner}/{repo}/statuses/{sha}'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/statuses'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/status'],
  ['post', '/repos/{owner}/{repo}/check-runs'],
  ['patch', '/repos/{owner}/{repo}/check-runs/{check_run_id}'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/check-runs'],
  ['get', '/repos/{owner}/{repo}/releases'],
  ['get', '/repos/{owner}/{repo}/releases/tags/{tag}'],
  ['get', '/repos/{owner}/{repo}/releases/assets/{asset_id}'],
  ['post', '/repos/{owner}/{repo}/releases'],
  ['get', '/repos/{owner}/{repo}/releases/{release_id}'],
  ['patch', '/repos/{owner}/{repo}/releases/{release_id}'],
  ['delete', '/repos/{owner}/{repo}/releases/assets/{asset_id}'],
  // Served by uploads.github.com (the origin of a release's upload_url), not the API host.
  ['post', '/repos/{owner}/{repo}/releases/{release_id}/assets'],
  // publish-model: the merged pull request's candidate artifact.
  ['get', '/repos/{owner}/{repo}/actions/runs'],
  ['get', '/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts'],
  ['get', '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}'],
  // drift-check: the drift issue and its label, the retraining branch (Git Data API) and PR.
  ['get', '/repos/{owner}/{repo}'],
  ['get', '/repos/{owner}/{repo}/labels/{name}'],
  ['post', '/repos/{owner}/{repo}/labels'],
  ['get', '/repos/{owner}/{repo}/issues'],
  ['post', '/repos/{owner}/{repo}/issues'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['patch', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['get', '/repos/{owner}/{repo}/git/ref/{ref}'],
  ['post', '/repos/{owner}/{repo}/git/refs'],
  ['patch', '/repos/{owner}/{repo}/git/refs/{ref}'],
  ['post', '/repos/{owner}/{repo}/git/blobs'],
  ['post', '/repos/{owner}/{repo}/git/trees'],
  ['get', '/repos/{owner}/{repo}/git/commits/{commit_sha}'],
  ['post', '/repos/{owner}/{repo}/git/commits'],
  ['post', '/repos/{owner}/{repo}/pulls'],
  ['patch', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  // deploy: GitHub Deployments and their statuses.
  ['get', '/repos/{owner}/{repo}/deployments'],
  ['post', '/repos/{owner}/{repo}/deployments'],
  ['get', '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses'],
  ['post', '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses'],
];

/** Components kept even when no operation names them: the body of errors GitHub sends anywhere. */
const ALWAYS = ['#/components/schemas/basic-error', '#/components/schemas/validation-error'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const sourcePath = require.resolve('@octokit/openapi/generated/api.github.com.json', {
  paths: [root],
});
const source = JSON.parse(readFileSync(sourcePath, 'utf8'));
const openapiVersion = JSON.parse(
  readFileSync(join(dirname(sourcePath), '..', 'package.json'), 'utf8'),
).version;

function withoutExamples(node) {
  if (Array.isArray(node)) return node.map(withoutExamples);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    // `examples` maps (media types, parameters) reference components/examples; `example` in a
    // schema is a plain value and stays.
    if (key === 'examples' && value && typeof value === 'object' && !Array.isArray(value)) continue;
    out[key] = withoutExamples(value);
  }
  return out;
}

function resolvePointer(pointer) {
  const parts = pointer.replace(/^#\//, '').split('/');
  let node = source;
  for (const raw of parts) {
    node = node?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (node === undefined) throw new Error(`unresolvable $ref ${pointer}`);
  return node;
}

const components = {};
const pending = [...ALWAYS];
function collectRefs(node) {
  if (Array.isArray(node)) return node.forEach(collectRefs);
  if (node === null || typeof node !== 'object') return;
  if (typeof node.$ref === 'string') pending.push(node.$ref);
  Object.values(node).forEach(collectRefs);
}

const paths = {};
for (const [method, path] of OPERATIONS) {
  const operation = source.paths[path]?.[method];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in ${sourcePath}`);
  const cleaned = withoutExamples(operation);
  const pathLevel = source.paths[path].parameters;
  if (pathLevel)
    cleaned.parameters = [...withoutExamples(pathLevel), ...(cleaned.parameters ?? [])];
  (paths[path] ??= {})[method] = cleaned;
  collectRefs(cleaned);
}

const seen = new Set();
while (pending.length > 0) {
  const ref = pending.pop();
  if (seen.has(ref)) continue;
  seen.add(ref);
  const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
  if (!match) throw new Error(`unexpected $ref ${ref}`);
  const [, kind, name] = match;
  const node = withoutExamples(resolvePointer(ref));
  (components[kind] ??= {})[name] = node;
  collectRefs(node);
}

const sortedComponents = Object.fromEntries(
  Object.keys(components)
    .sort()
    .map((kind) => [
      kind,
      Object.fromEntries(
        Object.keys(components[kind])
          .sort()
          .map((name) => [name, components[kind][name]]),
      ),
    ]),
);

const subset = {
  openapi: source.openapi,
  info: {
    title: `${source.info.title} (subset used by Modelship)`,
    version: source.info.version,
    'x-source': `@octokit/openapi@${openapiVersion} generated/api.github.com.json`,
    'x-generated-by': 'node scripts/extract-openapi.mjs',
  },
  paths,
  components: sortedComponents,
};

const outPath = join(root, 'test/fixtures/openapi/github-subset.json');
const text = `${JSON.stringify(subset, null, 2)}\n`;
if (process.argv.includes('--check')) {
  const committed = existsSync(outPath) ? readFileSync(outPath, 'utf8') : '';
  if (committed !== text) {
    console.error(`${outPath} is out of date: run node scripts/extract-openapi.mjs`);
    process.exit(1);
  }
  console.log(`${outPath} is up to date`);
} else {
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, text);
  const count = Object.values(sortedComponents).reduce((n, c) => n + Object.keys(c).length, 0);
  console.log(`wrote ${outPath}: ${OPERATIONS.length} operations, ${count} components`);
}
