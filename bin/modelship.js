#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of Modelship and its dependencies between runs (in the
// system's temporary directory): start-up then skips most of the parsing. Older Nodes lack it.
module.enableCompileCache?.();
const { main } = await import('../lib/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
