// bin/modelship.js's locale hook as an installed package meets it (node_modules/modelship/bin
// beside node_modules/zod), on Node 24 where the hook is active: it narrows zod's locale index to
// English where zod is laid out as expected, and leaves any other layout alone instead of
// breaking every command at start-up.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { node24 } from '../support/node24.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();

/** A project with the package's bin/, a lib/cli/main.js that lists zod's locales, and a fake zod. */
function project(name: string, zodExports: Record<string, string>): string {
  const root = join(dir, name);
  const pkg = join(root, 'node_modules', 'modelship');
  mkdirSync(join(pkg, 'lib', 'cli'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name": "modelship", "type": "module"}');
  writeFileSync(
    join(pkg, 'lib', 'cli', 'main.js'),
    "import { locales } from 'zod';\nexport async function main() { console.log(Object.keys(locales).sort().join(',')); return 0; }\n",
  );
  const zod = join(root, 'node_modules', 'zod');
  mkdirSync(join(zod, 'v4', 'locales'), { recursive: true });
  writeFileSync(
    join(zod, 'package.json'),
    JSON.stringify({ name: 'zod', type: 'module', exports: zodExports }),
  );
  writeFileSync(join(zod, 'index.js'), "export * as locales from './v4/locales/index.js';\n");
  writeFileSync(
    join(zod, 'v4', 'locales', 'index.js'),
    "export { default as de } from './de.js';\nexport { default as en } from './en.js';\n",
  );
  for (const locale of ['de', 'en'])
    writeFileSync(join(zod, 'v4', 'locales', `${locale}.js`), 'export default () => ({});\n');
  return pkg;
}

function run(pkg: string) {
  return spawnSync(node24(), [join(pkg, 'bin', 'modelship.js')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the zod locale hook of bin/modelship.js', () => {
  it('loads English alone where zod exports its locale files', () => {
    const result = run(
      project('expected', { '.': './index.js', './v4/locales/*': './v4/locales/*' }),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('en');
    expect(result.status).toBe(0);
  });

  it('leaves a zod that does not export v4/locales/en.js as it is, and the CLI runs', () => {
    const result = run(
      project('other-layout', { '.': './index.js', './v4/locales': './v4/locales/index.js' }),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('de,en');
    expect(result.status).toBe(0);
  });
});
