/**
 * Prints, after the default reporter's summary, which tests were skipped because this machine
 * lacks a system package, with the command that installs it (test/support/systemRequirements.ts
 * records both in the tests' meta), then any other skipped tests (only counted under a -t filter),
 * then a one-line total. Prints nothing when nothing was skipped.
 *
 * vitest.config.ts registers it after the default reporter. A `--reporter` flag on the command
 * line replaces the configured reporters, so a run that chooses its reporters names this one too:
 *   npx vitest run --reporter=default --reporter=./test/reporters/skippedTests.ts
 */
import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';
import { requireAllTests, type SystemRequirementsMeta } from '../support/systemRequirements.js';

/** Skipped tests under one name (a describe, or a test itself) that need the same packages. */
interface Entry {
  name: string;
  tests: number;
}

interface Group {
  needs: string;
  missing: string[];
  install: string[];
  entries: Map<string, Entry>;
}

/** The outermost suite (or the test) that records the same requirements: what was gated. */
function gatedEntity(test: TestCase): TestCase | TestSuite {
  let entity: TestCase | TestSuite = test;
  while (entity.parent.type === 'suite' && entity.parent.meta().systemRequirements) {
    entity = entity.parent;
  }
  return entity;
}

/** Whether a suite around the test failed, in a beforeAll hook say, so that it did not run. */
function suiteFailed(test: TestCase): boolean {
  for (let parent = test.parent; ; parent = parent.parent) {
    if (parent.errors().length > 0) return true;
    if (parent.type === 'module') return false;
  }
}

/** The section's lines, empty when no test was skipped. */
export function skippedTestsSection(
  testModules: ReadonlyArray<TestModule>,
  { listOthers = true } = {},
): string[] {
  const groups = new Map<string, Group>();
  const files = new Set<string>();
  let gated = 0;
  const others: string[] = [];
  for (const module of testModules) {
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state !== 'skipped') continue;
      const meta: SystemRequirementsMeta | undefined = test.meta().systemRequirements;
      if (!meta || meta.missing.length === 0) {
        const why = result.note ?? (suiteFailed(test) ? 'its suite failed' : undefined);
        others.push(`${module.relativeModuleId} > ${test.fullName}` + (why ? ` (${why})` : ''));
        continue;
      }
      gated += 1;
      files.add(module.relativeModuleId);
      const key = meta.install.join('\n');
      let group = groups.get(key);
      if (!group) {
        group = {
          needs: meta.needs.join('; '),
          missing: [],
          install: meta.install,
          entries: new Map(),
        };
        groups.set(key, group);
      }
      for (const missing of meta.missing) {
        if (!group.missing.includes(missing)) group.missing.push(missing);
      }
      const entity = gatedEntity(test);
      const name = `${module.relativeModuleId} > ${entity.fullName}`;
      const entry = group.entries.get(name) ?? { name, tests: 0 };
      entry.tests += 1;
      group.entries.set(name, entry);
    }
  }
  if (gated === 0 && others.length === 0) return [];

  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [''];
  if (gated > 0) {
    lines.push(
      requireAllTests()
        ? ' Not run: this machine lacks system packages these tests need (MODELSHIP_REQUIRE_ALL_TESTS=1: a failure)'
        : ' Skipped: this machine lacks system packages these tests need',
    );
    for (const group of groups.values()) {
      for (const entry of group.entries.values()) {
        lines.push(`   ${entry.name} (${plural(entry.tests, 'test')})`);
      }
      lines.push(`     needs ${group.needs} (missing: ${group.missing.join(', ')})`);
      for (const command of group.install) lines.push(`     ${command}`);
    }
  }
  if (others.length > 0 && listOthers) {
    lines.push(' Also skipped (in the code, by a filter, or because their suite failed):');
    for (const other of others.slice(0, 20)) lines.push(`   ${other}`);
    if (others.length > 20) lines.push(`   … and ${others.length - 20} more`);
  }
  const total = [
    gated > 0 &&
      `${plural(gated, 'test')} in ${plural(files.size, 'file')} ${requireAllTests() ? 'not run' : 'skipped'}` +
        ' for missing system packages' +
        ' (install them with the commands above to run the full suite)',
    others.length > 0 && `${plural(others.length, 'other test')} skipped`,
  ].filter(Boolean);
  lines.push(` ${total.join('; ')}.`, '');
  return lines;
}

export default class SkippedTestsReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // Under a -t filter every other test is skipped: count those, do not list them.
    const listOthers = !this.vitest?.config.testNamePattern;
    const lines = skippedTestsSection(testModules, { listOthers });
    if (lines.length === 0) return;
    if (this.vitest) this.vitest.logger.log(lines.join('\n'));
    else process.stdout.write(`${lines.join('\n')}\n`);
  }
}
