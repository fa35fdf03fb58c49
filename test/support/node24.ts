/**
 * Node 24, the runtime GitHub's runners run `using: node24` actions on, from the registry's
 * node-<platform>-<arch> package: installed once into .cache/node24 by the test setup (npm checks
 * the registry's integrity), so the release test runs the action tree on what a runner runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The exact version: the tests pin it as the lockfile pins everything else. */
export const NODE24_VERSION = '24.22.3';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The path of a Node 24 binary, installing it first when .cache/node24 does not have it. */
export function node24(): string {
  const os = process.platform === 'win32' ? 'win' : process.platform;
  const pkg = `node-${os}-${process.arch}`;
  const prefix = join(ROOT, '.cache', 'node24');
  const binary = join(
    prefix,
    'node_modules',
    pkg,
    'bin',
    process.platform === 'win32' ? 'node.exe' : 'node',
  );
  if (!existsSync(binary) || version(binary) !== `v${NODE24_VERSION}`) {
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `${pkg}@${NODE24_VERSION}`,
      ],
      { stdio: 'pipe', env: { ...process.env, npm_config_loglevel: 'error' } },
    );
  }
  const installed = version(binary);
  if (installed !== `v${NODE24_VERSION}`)
    throw new Error(`${binary} reports ${installed}, not v${NODE24_VERSION}`);
  return binary;
}

function version(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}
