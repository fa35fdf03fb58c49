// `modelship image load-test` with a target that is neither an image nor a server's URL, or a
// --bundle that is not one: one sentence and exit 2 before anything is read or started (it used to reach podman, which called
// ftp://x an "invalid reference format", or wait 10 s for http:// to answer).
import { describe, it } from 'vitest';
import { buildCliIfStale, expectOneSentence, runCli } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();

describe('modelship image load-test <image-or-url>', () => {
  it.each(['ftp://x', 'ht!tp://x', 'http://', 'file:///tmp/model'])('refuses %s', (target) => {
    buildCliIfStale();
    const result = runCli(['image', 'load-test', target, '--bundle', 'no-bundle'], dir);
    expectOneSentence(
      result,
      /^modelship: image load-test: .* is not a server URL; pass http\(s\):\/\/host:port, or an image as a local tag or <repository>@<digest>\.$/,
    );
  });

  it('refuses a --bundle that is no release bundle, naming it', () => {
    buildCliIfStale();
    const result = runCli(['image', 'load-test', 'http://127.0.0.1:9', '--bundle', 'nope'], dir);
    expectOneSentence(
      result,
      /^modelship: --bundle nope: no modelship\.yml there; pass a release bundle's directory \(modelship package --out, or a downloaded release\)\.$/,
    );
  });
});
