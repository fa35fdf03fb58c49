#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of Modelship and its dependencies between runs (in the
// system's temporary directory): start-up then skips most of the parsing. Older Nodes lack it.
module.enableCompileCache?.();

// Every zod entry point re-exports all of zod's locales (62 files), though messages are English
// (zod sets it from locales/en.js directly): Node 22.15+ resolves the index to English alone.
const ZOD_LOCALES = /\/node_modules\/zod\/v4\/locales\/index\.js$/;
const ENGLISH_ONLY = new URL('./zodEnglish.js', import.meta.url).href;
module.registerHooks?.({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    return ZOD_LOCALES.test(resolved.url) ? { ...resolved, url: ENGLISH_ONLY } : resolved;
  },
});

const { main } = await import('../lib/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
