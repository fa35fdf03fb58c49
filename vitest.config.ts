import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The skipped-tests section (what a skipped test needs, how to install it) comes last. A
    // --reporter flag replaces these: name ./test/reporters/skippedTests.ts too (.ci/run does).
    reporters: ['default', './test/reporters/skippedTests.ts'],
  },
});
