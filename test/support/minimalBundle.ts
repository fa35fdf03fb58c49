import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A directory with the files `modelship image manifests` reads of a bundle (not a servable model). */
export function writeManifestOnlyBundle(dir: string, name = 'm', version = '1.0.0'): void {
  mkdirSync(dir);
  const model = Buffer.from('model');
  writeFileSync(join(dir, 'model.onnx'), model);
  const sha256 = createHash('sha256').update(model).digest('hex');
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ name, version, files: { 'model.onnx': { sha256 } } }),
  );
}
