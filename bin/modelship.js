#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of Modelship and its dependencies between runs (in the
// system's temporary directory): start-up then skips most of the parsing. Older Nodes lack it.
module.enableCompileCache?.();

// Every zod entry point re-exports all of zod's locales (62 files), though messages are English
// (zod sets it from locales/en.js directly): Node 22.15+ resolves the index to English alone.
const ZOD_LOCALES = /\/node_modules\/zod\/v4\/locales\/index\.js$/;
const ENGLISH_ONLY = new URL('./zodEnglish.js', import.meta.url).href;
// Only where zodEnglish.js's own import reaches the en.js beside that index (the same zod copy,
// its locale files exported): a zod laid out otherwise loads as it is, never failing the CLI.
const englishOf = new Map();
function englishBeside(index, context, next) {
  if (!englishOf.has(index)) {
    let same = false;
    try {
      const en = next('zod/v4/locales/en.js', { ...context, parentURL: ENGLISH_ONLY }).url;
      same = en === new URL('en.js', index).href;
    } catch {
      // not exported, or no zod where bin/ resolves: keep the index
    }
    englishOf.set(index, same);
  }
  return englishOf.get(index);
}
module.registerHooks?.({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    return ZOD_LOCALES.test(resolved.url) && englishBeside(resolved.url, context, next)
      ? { ...resolved, url: ENGLISH_ONLY }
      : resolved;
  },
});

const { main } = await import('../lib/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
