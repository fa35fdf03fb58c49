/**
 * `modelship serve` as a child process, as a user or an image starts it: a bundle of the
 * credit-risk example's config and contract with a given model, and the child's output as it
 * comes, for tests that need a real process (SIGTERM, RSS, raw sockets).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCliIfStale, ROOT } from './cli.js';

/** Writes a serving bundle into `dir`: the model, the example's config and contract, a manifest. */
export function writeServeBundle(dir: string, model: Uint8Array, version: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), model);
  const yml = readFileSync(join(ROOT, 'examples/credit-risk/modelship.yml'), 'utf8');
  writeFileSync(join(dir, 'modelship.yml'), yml.replace('data/schema.yml', 'schema.yml'));
  copyFileSync(join(ROOT, 'examples/credit-risk/data/schema.yml'), join(dir, 'schema.yml'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version }));
  return dir;
}

export interface ServeChild {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

/** Starts `modelship serve <bundle> --port 0 --cpu [...args]` and waits until it listens. */
export async function startServeChild(bundle: string, args: string[] = []): Promise<ServeChild> {
  buildCliIfStale();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'modelship.js'), 'serve', bundle, '--port', '0', '--cpu', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  while (!/http:\/\/\S+/.test(stdout)) {
    if (child.exitCode !== null) throw new Error(`serve exited early:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = /http:\/\/[^/\s]+/.exec(stdout)![0];
  return {
    child,
    url,
    port: Number(/:(\d+)$/.exec(url)![1]),
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
