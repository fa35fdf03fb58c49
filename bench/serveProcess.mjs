// The `modelship` processes the serving benchmarks start: a one-off command, and a server on a
// free port whose URL is read from its first line.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'modelship.js');

/** Runs `modelship <args>` in the repository; a failure ends the bench with its stderr. */
export function modelshipCli(args) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`bench: modelship ${args[0]} exited with ${result.status}:\n${result.stderr}`);
    process.exit(2);
  }
}

/**
 * Starts `modelship serve <args> --port 0 --cpu` (on the CPUs `cpus` names, with taskset), and
 * resolves once it prints its URL. `stop()` sends SIGTERM and fails unless it exits 0.
 */
export async function startServe(args, { env = process.env, stderr = 'ignore', cpus } = {}) {
  const serve = [CLI, 'serve', ...args, '--port', '0', '--cpu'];
  const [command, ...rest] = cpus
    ? ['taskset', '-c', cpus, process.execPath, ...serve]
    : [process.execPath, ...serve];
  const child = spawn(command, rest, { cwd: ROOT, env, stdio: ['ignore', 'pipe', stderr] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  while (!/http:\/\/\S+/.test(stdout)) {
    if (child.exitCode !== null) throw new Error(`modelship serve exited with ${child.exitCode}`);
    await sleep(20);
  }
  return {
    url: /http:\/\/[^/\s]+/.exec(stdout)[0],
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`modelship serve exited with ${code} on SIGTERM`);
    },
  };
}
