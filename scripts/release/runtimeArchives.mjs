// The native runtime archives, one per platform: DuckDB's binding and library from the registry's
// per-platform package (@duckdb/node-bindings-<platform>), onnxruntime's from onnxruntime-node,
// which carries every platform's. All four are assembled on any machine.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readTarGz } from '../../lib/core/runtime/tarArchive.js';
import { buildRuntimeArchive, runtimeArchiveName } from '../../lib/core/runtime/runtimeArchive.js';
import { RUNTIME_PLATFORMS } from '../../lib/core/runtime/platform.js';
import { sha256Hex } from '../../lib/core/files/fileDigest.js';

const require = createRequire(import.meta.url);
/** Downloaded per-platform packages, kept between builds (npm verifies them against the registry). */
const PACKAGE_CACHE = process.env.MODELSHIP_RELEASE_CACHE || '.cache/release-natives';

const MIT = (holder) => `MIT License

Copyright (c) ${holder}

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR
OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;

/** Writes every platform's archive into `out`; returns { platform: { name, sha256, bytes } }. */
export function writeRuntimeArchives(out, modelshipVersion) {
  const duckdbVersion = require('@duckdb/node-bindings/package.json').version;
  const ortRoot = dirname(require.resolve('onnxruntime-node/package.json'));
  const ortVersion = JSON.parse(readFileSync(join(ortRoot, 'package.json'), 'utf8')).version;
  const archives = {};
  for (const platform of RUNTIME_PLATFORMS) {
    const [os, arch] = platform.split('-');
    const duckdb = duckdbPackageFiles(platform, duckdbVersion).map((f) => ({
      path: `duckdb/${f.name}`,
      data: f.data,
      mode: f.name === 'LICENSE' ? 0o644 : 0o755,
    }));
    const ortDir = join(ortRoot, 'bin', 'napi-v6', os, arch);
    const onnxruntime = readdirSync(ortDir)
      .sort()
      .map((name) => ({
        path: `onnxruntime/${name}`,
        data: readFileSync(join(ortDir, name)),
        mode: 0o755,
      }));
    onnxruntime.push({
      path: 'onnxruntime/LICENSE',
      data: Buffer.from(MIT('Microsoft Corporation (onnxruntime-node ' + ortVersion + ')')),
    });
    const bytes = buildRuntimeArchive([...duckdb, ...onnxruntime], {
      platform,
      modelship: modelshipVersion,
      duckdb: duckdbVersion,
      onnxruntime: ortVersion,
    });
    const name = runtimeArchiveName(modelshipVersion, platform);
    writeFileSync(join(out, name), bytes);
    archives[platform] = { name, sha256: sha256Hex(bytes), bytes: bytes.length };
  }
  return archives;
}

/** duckdb.node, its library and LICENSE from @duckdb/node-bindings-<platform>@<version>. */
function duckdbPackageFiles(platform, version) {
  const pkg = `@duckdb/node-bindings-${platform}`;
  const installed = installedPackageDir(pkg);
  if (
    installed &&
    JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version === version
  )
    return readdirSync(installed)
      .filter((name) => name === 'LICENSE' || /(\.node|\.so|\.dylib|\.dll)$/.test(name))
      .sort()
      .map((name) => ({ name, data: readFileSync(join(installed, name)) }));
  const tarball = join(PACKAGE_CACHE, `duckdb-node-bindings-${platform}-${version}.tgz`);
  if (!existsSync(tarball)) {
    mkdirSync(PACKAGE_CACHE, { recursive: true });
    execFileSync('npm', ['pack', `${pkg}@${version}`, '--pack-destination', PACKAGE_CACHE], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return readTarGz(readFileSync(tarball))
    .map((e) => ({ name: e.path.replace(/^package\//, ''), data: e.data }))
    .filter(({ name }) => name === 'LICENSE' || /(\.node|\.so|\.dylib|\.dll)$/.test(name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function installedPackageDir(pkg) {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}
