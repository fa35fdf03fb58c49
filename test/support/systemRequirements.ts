/**
 * The system packages some tests need beyond Node and node_modules, in one place: how to detect
 * each and the command that installs it (Debian/Ubuntu). `npm ci && npm test` passes on a machine
 * with only Node: a test whose packages are missing is skipped, and the skippedTests reporter
 * lists it at the end of the run with that command. With MODELSHIP_REQUIRE_ALL_TESTS=1 (.ci/run)
 * a missing package is a failure instead, so CI cannot pass by skipping.
 *
 * A test file that needs a package, as a whole:
 *
 *   const containers = systemRequirements(['containers']);
 *   beforeAll(() => {
 *     containers.check(); // first: throws with the install command (strict mode only gets here)
 *     ...
 *   });
 *   describe('...', containers.options, () => { ... }); // every describe of the file
 *
 * When every test of a file is skipped, Vitest runs none of its hooks, so the file's beforeAll
 * starts nothing. One test: `it('...', torch.options, () => { torch.check(); ... })`. Only a
 * missing package skips: a package that is present but broken fails the test as before.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'vitest';

export type RequirementName =
  'containers' | 'python-torch' | 'python-sklearn' | 'python-converters';

/** What a gated test records in its task meta; the reporter and the JSON report read it. */
export interface SystemRequirementsMeta {
  /** What the test needs, in words, one entry per requirement. */
  needs: string[];
  /** The commands, tools and modules this machine lacks; empty when it has everything. */
  missing: string[];
  /** The commands that install what is missing. */
  install: string[];
}

declare module 'vitest' {
  interface TaskMeta {
    systemRequirements?: SystemRequirementsMeta;
  }
}

interface Requirement {
  /** What it is, in words, for messages. */
  needs: string;
  /** The Debian/Ubuntu command that installs it. */
  install: string;
  /** What this machine lacks of it (commands, modules); empty when it is all there. */
  detect(): string[];
}

/** The tools are looked up where Debian puts them, sbin included (docker-registry, runc). */
const SEARCH_PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
const CONTAINER_TOOLS = ['podman', 'buildah', 'skopeo', 'runc', 'docker-registry'];
/** The system Python, as examples/credit-risk/train.py runs it. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const PYTHON_MODULES = ['torch', 'yaml'];
/** test/support/sklearnReference.ts computes reference metrics with scikit-learn at test time. */
const SKLEARN_MODULES = ['sklearn', 'numpy'];
/** scripts/converter-models/generate.py trains and exports the converter-shaped test models. */
const CONVERTER_MODULES = ['onnx', 'sklearn', 'xgboost', 'torch', 'numpy'];

function missingCommands(commands: string[]): string[] {
  return commands.filter(
    (command) =>
      spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { env: { PATH: SEARCH_PATH } })
        .status !== 0,
  );
}

/**
 * The modules that `python` cannot find. A module that is there but fails to import (a broken
 * install) is not "missing": the test then runs, and fails with the import error.
 */
function missingPythonModules(python: string, modules: string[]): string[] {
  const probe = [
    'import sys',
    'for name in sys.argv[1:]:',
    '    try:',
    '        __import__(name)',
    '    except ModuleNotFoundError as error:',
    '        if error.name != name: raise',
    '        print(name)',
  ].join('\n');
  const result = spawnSync(python, ['-c', probe, ...modules], { encoding: 'utf8' });
  if (result.error) return [python]; // not installed (or not executable)
  if (result.status !== 0) return []; // present but broken: let the test say how
  return result.stdout.split('\n').filter(Boolean);
}

export const REQUIREMENTS: Record<RequirementName, Requirement> = {
  containers: {
    needs: CONTAINER_TOOLS.join(', '),
    install: `sudo apt-get install -y ${CONTAINER_TOOLS.join(' ')}`,
    detect: () => missingCommands(CONTAINER_TOOLS),
  },
  'python-torch': {
    needs: `${SYSTEM_PYTHON} with ${PYTHON_MODULES.join(', ')}`,
    install: 'sudo apt-get install -y --no-install-recommends python3-torch python3-yaml',
    detect: () => missingPythonModules(SYSTEM_PYTHON, PYTHON_MODULES),
  },
  'python-sklearn': {
    needs: `${SYSTEM_PYTHON} with ${SKLEARN_MODULES.join(', ')}`,
    install: 'sudo apt-get install -y --no-install-recommends python3-sklearn python3-numpy',
    detect: () => missingPythonModules(SYSTEM_PYTHON, SKLEARN_MODULES),
  },
  'python-converters': {
    needs: `${SYSTEM_PYTHON} with ${CONVERTER_MODULES.join(', ')}`,
    install:
      'sudo apt-get install -y --no-install-recommends python3-onnx python3-sklearn python3-xgboost python3-torch python3-numpy',
    detect: () => missingPythonModules(SYSTEM_PYTHON, CONVERTER_MODULES),
  },
};

const detected = new Map<RequirementName, string[]>();

/** What this machine lacks of `name`, detected once per test worker. */
function lacking(name: RequirementName): string[] {
  let missing = detected.get(name);
  if (missing === undefined) {
    missing = REQUIREMENTS[name].detect();
    detected.set(name, missing);
  }
  return missing;
}

/** The requirements among `names` that this machine does not meet. */
export function missingRequirements(names: RequirementName[]): RequirementName[] {
  return names.filter((name) => lacking(name).length > 0);
}

/** MODELSHIP_REQUIRE_ALL_TESTS=1: a missing package fails the test instead of skipping it. */
export function requireAllTests(): boolean {
  const value = process.env.MODELSHIP_REQUIRE_ALL_TESTS ?? '';
  return value === '1' || value === 'true';
}

export interface SystemRequirements {
  /** Whether the gated tests are skipped: something is missing and strict mode is off. */
  skip: boolean;
  /** What is missing and how to install it, in one line; empty when nothing is missing. */
  reason: string;
  /** For describe()/it(): `{ skip, meta }`; the meta lets the reporter say what to install. */
  options: { skip: boolean; meta: { systemRequirements: SystemRequirementsMeta } };
  /** Throws the reason, with the install command, if something is missing. */
  check(): void;
  /** In a test: skips it with the reason (strict mode: fails it) if something is missing. */
  skipIfMissing(context: TestContext): void;
}

export function systemRequirements(names: RequirementName[]): SystemRequirements {
  const unmet = missingRequirements(names);
  const meta: SystemRequirementsMeta = {
    needs: names.map((name) => REQUIREMENTS[name].needs),
    missing: unmet.flatMap(lacking),
    install: unmet.map((name) => REQUIREMENTS[name].install),
  };
  const reason =
    unmet.length === 0
      ? ''
      : `needs ${meta.needs.join('; ')}, and this machine lacks ${meta.missing.join(', ')}; ` +
        `install with: ${meta.install.join(' && ')}`;
  const skip = unmet.length > 0 && !requireAllTests();
  const check = () => {
    if (unmet.length === 0) return;
    throw new Error(
      `This test ${reason}` +
        (requireAllTests() ? ' (MODELSHIP_REQUIRE_ALL_TESTS=1: a failure, not a skip).' : '.'),
    );
  };
  return {
    skip,
    reason,
    options: { skip, meta: { systemRequirements: meta } },
    check,
    skipIfMissing(context) {
      if (unmet.length === 0) return;
      context.task.meta.systemRequirements = meta;
      if (requireAllTests()) check();
      context.skip(reason);
    },
  };
}
