// `npm run release:build [-- --out <dir>]`: everything a release publishes, into build/release/
// (or <dir>): the action tree and its tarball, a native runtime archive per platform, the npm
// package and SHA256SUMS (scripts/release/build.mjs says what each is).
//
// It builds from a staged copy of the checkout, as a fresh clone has it (tracked files and new
// ones git does not ignore): local output never leaks into a release, and lib/ and dist/ here are
// never rewritten under a test or tool that is reading them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stageCheckout } from './release/stage.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = resolve(
  at > 0 && process.argv[at + 1] ? process.argv[at + 1] : join(ROOT, 'build/release'),
);
const stage = mkdtempSync(join(tmpdir(), 'modelship-release-stage-'));
try {
  stageCheckout(ROOT, stage);
  rmSync(out, { recursive: true, force: true });
  const env = {
    ...process.env,
    MODELSHIP_RELEASE_OUT: out,
    MODELSHIP_RELEASE_ROOT: ROOT,
    // Per-platform packages downloaded from the registry, kept between builds.
    MODELSHIP_RELEASE_CACHE: join(ROOT, '.cache/release-natives'),
  };
  const inherit = { cwd: stage, env, stdio: ['ignore', 'inherit', 'inherit'] };
  execFileSync('npm', ['run', '--silent', 'build'], inherit);
  execFileSync(process.execPath, ['scripts/release/build.mjs'], inherit);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
