// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'lib/',
      'build/',
      '.cache/',
      'coverage/',
      'bench/out/',
      'scratch/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      // core/ is pure domain logic: the layers above it own the environment and GitHub.
      'no-restricted-imports': [
        'error',
        { patterns: ['@actions/*', '@octokit/*', '**/github/**', '**/actions/**', '**/cli/**'] },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/numberText.ts'],
    rules: {
      // The first toLocaleString of a process loads ICU's locale data (14-66 ms of a start).
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='toLocaleString']",
          message: 'Group counts with groupedCount from src/core/numberText.ts instead.',
        },
      ],
    },
  },
  {
    files: ['src/github/**/*.ts'],
    rules: {
      // The GitHub adapters sit below the actions and the CLI, never the other way round.
      'no-restricted-imports': ['error', { patterns: ['**/actions/**', '**/cli/**'] }],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
);
