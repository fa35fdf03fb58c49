// Preloaded with `node --import`: appends every module a process loads to the file named by
// MODELSHIP_MODULE_TRACE, one per line: `esm <url>`, `cjs <path>` or `native <path>` (a .node
// addon). The start-up guard counts them, which no busy machine can make flaky, as timings are.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.MODELSHIP_MODULE_TRACE;
if (out) {
  // ES modules load on the hooks thread: the hook writes there.
  const hook = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (!url.startsWith('node:')) appendFileSync(${JSON.stringify(out)}, 'esm ' + url + '\\n');
  return next(url, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  // CommonJS files required by CommonJS packages never reach the ESM hooks.
  const Module = createRequire(import.meta.url)('node:module');
  const compileJs = Module._extensions['.js'];
  Module._extensions['.js'] = function (module, filename) {
    appendFileSync(out, `cjs ${filename}\n`);
    return compileJs.call(this, module, filename);
  };
  const dlopen = process.dlopen;
  process.dlopen = function (module, filename, ...rest) {
    appendFileSync(out, `native ${filename}\n`);
    return dlopen.call(this, module, filename, ...rest);
  };
}
