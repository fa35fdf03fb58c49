import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelshipError, messageOf } from '../../core/errors.js';

const ATTEMPTS = 4;

/**
 * The bytes of `name` from `base`: an http(s) release-download URL (proxies from https_proxy /
 * no_proxy, as @actions/tool-cache honours them; redirects followed; retried on 5xx, 429 and
 * network errors), or a local folder or file:// URL holding the archives (mirrors, air-gapped
 * runners). Nothing is trusted here: the caller checks the digest.
 */
export async function fetchArchive(
  base: string,
  name: string,
  log: (line: string) => void,
): Promise<{ data: Buffer; source: string }> {
  if (!/^https?:\/\//i.test(base)) {
    const folder = base.startsWith('file:') ? fileURLToPath(base) : base;
    const path = join(folder, name);
    try {
      return { data: await readFile(path), source: path };
    } catch (error) {
      throw new ModelshipError(
        `could not read Modelship's native runtime ${path} (${messageOf(error)}); MODELSHIP_RUNTIME_URL must name a folder or URL holding ${name}.`,
      );
    }
  }
  const url = `${base.replace(/\/+$/, '')}/${name}`;
  // Loaded here: with undici it is 0.7 MB that a run with the runtime in its tool cache never uses.
  const { HttpClient } = await import('@actions/http-client');
  const client = new HttpClient('modelship-runtime', [], { allowRetries: false });
  let failure = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const response = await client.get(url);
      const status = response.message.statusCode ?? 0;
      if (status === 200) return { data: await response.readBodyBuffer!(), source: url };
      response.message.resume();
      failure = `HTTP ${status}`;
      if (status < 500 && status !== 429) break;
    } catch (error) {
      failure = messageOf(error);
    }
    if (attempt < ATTEMPTS) {
      log(`Downloading ${url} failed (${failure}); retrying.`);
      await new Promise((done) => setTimeout(done, 500 * 2 ** attempt));
    }
  }
  throw new ModelshipError(
    `could not download Modelship's native runtime from ${url} (${failure}); check the runner's network or proxy (https_proxy), or set MODELSHIP_RUNTIME_URL to a mirror holding ${name}.`,
  );
}
