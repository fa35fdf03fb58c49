// GitHub's own workflow and action.yml parser (@actions/workflow-parser), loaded for tests.
// Its ESM build imports its JSON schemas without `with { type: 'json' }`, which Node refuses; a
// load hook adds the attribute for that package's JSON files only.
import { register } from 'node:module';

const HOOK = `export async function load(url, context, next) {
  if (url.endsWith('.json') && url.includes('/@actions/workflow-parser/')) {
    return next(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  }
  return next(url, context);
}`;

let registered = false;

/** The workflow parser and its action.yml parser. */
export async function loadWorkflowParser() {
  if (!registered) {
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
    registered = true;
  }
  const [workflows, actions] = await Promise.all([
    import('@actions/workflow-parser'),
    import('@actions/workflow-parser/actions/index'),
  ]);
  return { ...workflows, ...actions };
}
