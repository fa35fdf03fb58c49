/** Which models a change affects: those whose config, data, contract or code paths it touched. */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ModelshipError } from '../errors.js';
import { discoverWorkspace, type Workspace, type WorkspaceModel } from './discovery.js';
import {
  changedFiles,
  fileAt,
  git,
  NO_COMMIT,
  resolveCommit,
  type ChangedFile,
} from './gitChanges.js';
import { modelshipPins, pinsModelship } from './modelshipVersion.js';
import { pathGlob } from './pathGlob.js';
import { WORKSPACE_FILE } from './workspaceFile.js';

export interface AffectedModel extends WorkspaceModel {
  /** Why, e.g. `examples/credit-risk/train.mjs changed`; the first few reasons. */
  reasons: string[];
}

export interface AffectedResult {
  /** The base commit, or undefined when there is none to compare with (every model is affected). */
  base: string | undefined;
  head: string;
  changed: ChangedFile[];
  /** Set when every model is affected for one reason (the workspace file, Modelship's version). */
  everything: string | undefined;
  affected: AffectedModel[];
  unaffected: WorkspaceModel[];
}

const MAX_REASONS = 3;

/**
 * The models of the working tree at `root` that the change from `base` to `head` affects. `head`
 * must be the commit checked out, as the models are read from the working tree.
 */
export function affectedModels(root: string, base: string, head = 'HEAD'): AffectedResult {
  const workspace = discoverWorkspace(root);
  if (spawnSync('git', ['rev-parse', '--git-dir'], { cwd: workspace.root }).status !== 0)
    throw new ModelshipError(
      `${workspace.root} is not in a git repository: modelship affected compares commits, so run it in a clone (or list the models with modelship models).`,
    );
  const headSha = resolveCommit(workspace.root, head, '--head');
  const checkedOut = git(workspace.root, ['rev-parse', 'HEAD']).trim();
  if (headSha !== checkedOut)
    throw new ModelshipError(
      `--head ${head} is not the commit checked out (${checkedOut.slice(0, 12)}): models are read from the working tree, so check out ${head} first or leave --head out.`,
    );
  if (NO_COMMIT.test(base))
    return everyModel(workspace, undefined, headSha, [], 'there is no base commit to compare with');
  const baseSha = resolveCommit(workspace.root, base, '--base');
  // git names files from the top of the repository; models from the root they were found in.
  const top = git(workspace.root, ['rev-parse', '--show-toplevel']).trim();
  const realRoot = realpathSync(workspace.root);
  const fromRoot = (path: string) => relative(realRoot, join(top, path)).split(sep).join('/');
  const fromTop = changedFiles(workspace.root, baseSha, headSha);
  const changed = fromTop.map((c) => ({
    ...c,
    path: fromRoot(c.path),
    ...(c.from ? { from: fromRoot(c.from) } : {}),
  }));
  const paths = changed.flatMap((c) => (c.from ? [c.from, c.path] : [c.path]));

  if (paths.includes(WORKSPACE_FILE))
    return everyModel(workspace, baseSha, headSha, changed, `${WORKSPACE_FILE} changed`);
  const topPaths = fromTop.flatMap((c) => (c.from ? [c.from, c.path] : [c.path]));
  const version = versionChange(workspace.root, baseSha, headSha, topPaths);
  if (version) return everyModel(workspace, baseSha, headSha, changed, version);

  const shared = workspace.shared.map(pathGlob);
  const sharedChanges = paths.filter((p) => shared.some((matches) => matches(p)));
  const affected: AffectedModel[] = [];
  const unaffected: WorkspaceModel[] = [];
  for (const model of workspace.models) {
    const own = model.dependsOn.map(pathGlob);
    const reasons = [
      ...sharedChanges.map((p) => `shared path ${p} changed`),
      ...paths.filter((p) => own.some((matches) => matches(p))).map((p) => describe(p, changed)),
    ];
    if (reasons.length > 0)
      affected.push({ ...model, reasons: [...new Set(reasons)].slice(0, MAX_REASONS) });
    else unaffected.push(model);
  }
  return { base: baseSha, head: headSha, changed, everything: undefined, affected, unaffected };
}

function everyModel(
  workspace: Workspace,
  base: string | undefined,
  head: string,
  changed: ChangedFile[],
  reason: string,
): AffectedResult {
  return {
    base,
    head,
    changed,
    everything: reason,
    affected: workspace.models.map((m) => ({ ...m, reasons: [reason] })),
    unaffected: [],
  };
}

/** `a changed`, `a deleted`, `a renamed to b` / `a renamed from b`. */
function describe(path: string, changed: ChangedFile[]): string {
  const change = changed.find((c) => c.path === path || c.from === path);
  if (change?.status === 'D') return `${path} deleted`;
  if (change?.status === 'A') return `${path} added`;
  if (change?.from === path) return `${path} renamed to ${change.path}`;
  if (change?.from) return `${path} renamed from ${change.from}`;
  return `${path} changed`;
}

/**
 * A sentence when the Modelship version that a changed file pins differs between the commits: the
 * files of the repository's top (package.json, .github/workflows), whatever folder models are in.
 */
function versionChange(
  root: string,
  base: string,
  head: string,
  changed: string[],
): string | undefined {
  for (const path of changed.filter(pinsModelship)) {
    const before = modelshipPins(path, fileAt(root, base, path)).join(', ');
    const after = modelshipPins(path, fileAt(root, head, path)).join(', ');
    if (before !== after)
      return `Modelship's version in ${path} changed (${before || 'none'} → ${after || 'none'})`;
  }
  return undefined;
}
