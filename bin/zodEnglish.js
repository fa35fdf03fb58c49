// zod's locale index as the CLI loads it: English only, the one locale Modelship's messages use.
// The index re-exports 62 locales, a quarter of the files `modelship gate` loaded.
export { default as en } from 'zod/v4/locales/en.js';
