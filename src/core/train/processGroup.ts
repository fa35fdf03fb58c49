import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

// A training command is started detached, as the leader of its own process group, so that the
// whole tree (the shell, python, its data-loader workers, a `sleep` in a wrapper script) can be
// signalled at once through the negative pid. Killing only the shell would leave the workers
// holding the GPU after a timeout or a cancelled job.

/** Sends `signal` to every process of the group; false when the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while a live process remains in the group. On Linux /proc is read so that zombies (exited,
 * not yet reaped: in a container whose init does not reap orphans they can linger) do not count.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  const members = procGroupMembers(pgid);
  return members === null ? true : members.some((m) => m.state !== 'Z');
}

/** True while the process runs (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = procState(pid);
  return state === null || state !== 'Z';
}

/**
 * Stops what is left of a group: SIGTERM (unless `termSentAt` says it was sent already), then
 * SIGKILL once `graceMs` has passed with a process still alive. Resolves when the group is gone
 * or SIGKILL was sent and given a moment; returns whether anything was left to stop.
 */
export async function stopGroup(
  pgid: number,
  graceMs: number,
  termSentAt?: number,
): Promise<boolean> {
  if (!groupAlive(pgid)) return false;
  const since = termSentAt ?? Date.now();
  if (termSentAt === undefined) signalGroup(pgid, 'SIGTERM');
  while (groupAlive(pgid) && Date.now() - since < graceMs) await delay(25);
  if (groupAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
    for (let i = 0; i < 80 && groupAlive(pgid); i++) await delay(25);
  }
  return true;
}

interface ProcEntry {
  pid: number;
  state: string;
  pgrp: number;
}

function procGroupMembers(pgid: number): ProcEntry[] | null {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return null;
  }
  const members: ProcEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = procStat(Number(name));
    if (entry && entry.pgrp === pgid) members.push(entry);
  }
  return members;
}

function procState(pid: number): string | null {
  return procStat(pid)?.state ?? null;
}

function procStat(pid: number): ProcEntry | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}
