import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './cli.js';

/**
 * What the runner passes to the deploy action when a workflow sets nothing: actions/deploy/
 * action.yml's defaults, as INPUT_* names without the prefix (github-token is set by each test).
 */
export function deployActionDefaults(): Record<string, string> {
  const spec = parse(readFileSync(join(ROOT, 'actions/deploy/action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  return Object.fromEntries(
    Object.entries(spec.inputs)
      .filter(([name]) => name !== 'github-token')
      .map(([name, input]) => [name.toUpperCase(), String(input.default ?? '')]),
  );
}

/** The deploy action's inputs for the container lab: podman, its registry without TLS, a URL. */
export function labDeployInputs(image: string, baseImage: string): Record<string, string> {
  return {
    IMAGE: image,
    BUILDER: 'podman',
    'BASE-IMAGE': baseImage,
    'TLS-VERIFY': 'false',
    URL: 'https://models.example.com/credit-risk',
  };
}
