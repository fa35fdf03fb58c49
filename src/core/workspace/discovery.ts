/**
 * The models of a repository: every modelship.yml under its root, or the entries of a root
 * modelship.workspace.yml, each with the paths whose changes affect it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/modelshipConfig.js';
import { ModelshipError } from '../errors.js';
import { normalizePattern, pathGlob } from './pathGlob.js';
import { loadWorkspaceFile, WORKSPACE_FILE } from './workspaceFile.js';

export const CONFIG_FILE = 'modelship.yml';

export interface WorkspaceModel {
  name: string;
  /** The config file, relative to the root (`/`-separated). */
  config: string;
  /** The config's folder, relative to the root (`.` for the root): where its steps run. */
  directory: string;
  /** Paths and globs, relative to the root, whose changes affect this model. */
  dependsOn: string[];
}

export interface Workspace {
  root: string;
  /** modelship.workspace.yml when the root has one. */
  file: string | undefined;
  /** Paths and globs every model depends on (the workspace file's `shared`). */
  shared: string[];
  models: WorkspaceModel[];
}

/** Folders the search never enters: dependencies, git's own, and dot-folders (outputs, caches). */
const skipFolder = (name: string) => name === 'node_modules' || name.startsWith('.');

/** Finds the models under `root`; a duplicate name is an error naming both config files. */
export function discoverWorkspace(root: string): Workspace {
  const absoluteRoot = resolve(root);
  if (!existsSync(absoluteRoot) || !statSync(absoluteRoot).isDirectory())
    throw new ModelshipError(`${root}: not a folder; name the repository's root folder.`);
  const workspacePath = join(absoluteRoot, WORKSPACE_FILE);
  const workspace = existsSync(workspacePath) ? loadWorkspaceFile(workspacePath) : undefined;
  const files = listFiles(absoluteRoot);
  const configs = workspace?.models
    ? workspace.models.flatMap((entry) => workspaceEntry(entry, files, workspacePath))
    : files.filter(
        (f) => (f === CONFIG_FILE || f.endsWith(`/${CONFIG_FILE}`)) && !inReleaseBundle(f, files),
      );

  const byName = new Map<string, WorkspaceModel>();
  for (const config of [...new Set(configs)].sort()) {
    const model = describeModel(absoluteRoot, loadConfig(join(absoluteRoot, config)));
    const earlier = byName.get(model.name);
    if (earlier)
      throw new ModelshipError(
        `${earlier.config} and ${model.config} both name the model ${model.name}; model names must be unique, so rename one (model.name).`,
      );
    byName.set(model.name, model);
  }
  return {
    root: absoluteRoot,
    file: workspace ? WORKSPACE_FILE : undefined,
    shared: (workspace?.shared ?? []).map(normalizePattern),
    models: [...byName.values()],
  };
}

/**
 * Whether a found modelship.yml is the resolved copy inside a release bundle (modelship package
 * --out, modelship registry download --out): manifest.json and SHA256SUMS beside it. A bundle
 * written into the repository is not a second model of the same name.
 */
function inReleaseBundle(config: string, files: string[]): boolean {
  const folder = config.slice(0, -CONFIG_FILE.length);
  return files.includes(`${folder}manifest.json`) && files.includes(`${folder}SHA256SUMS`);
}

/** The config files one `models:` entry names: a file, a folder's modelship.yml, or a glob. */
function workspaceEntry(entry: string, files: string[], workspacePath: string): string[] {
  const pattern = normalizePattern(entry);
  if (files.includes(pattern)) return [pattern];
  const inFolder = pattern === '.' ? CONFIG_FILE : `${pattern}/${CONFIG_FILE}`;
  if (files.includes(inFolder)) return [inFolder];
  if (/[*?{]/.test(pattern)) {
    const matches = pathGlob(pattern);
    const found = files.filter((f) => matches(f) && /\.ya?ml$/.test(f));
    if (found.length > 0) return found;
  }
  throw new ModelshipError(
    `${workspacePath}: the models entry "${entry}" names no config file (a modelship.yml, a folder holding one, or a glob of them); fix the path or remove the entry.`,
  );
}

/** Every file under `root` outside skipped folders, relative and `/`-separated, sorted. */
function listFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skipFolder(entry.name)) walk(join(folder, entry.name), path);
      } else if (entry.isFile()) found.push(path);
    }
  };
  walk(root, '');
  return found.sort();
}

/** What a model depends on: config, data and contract, and `paths` or the training folders. */
function describeModel(root: string, loaded: LoadedConfig): WorkspaceModel {
  const { config } = loaded;
  const inRoot = (absolute: string) => {
    const path = relative(root, absolute);
    return path.startsWith('..') || isAbsolute(path) ? undefined : path.split(sep).join('/') || '.';
  };
  const fromConfig = (path: string) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? undefined : inRoot(loaded.resolve(path));
  const folder = (path: string) => (path === '.' ? '**' : `${path}/**`);
  const directory = inRoot(loaded.dir) ?? '.';
  const data = [config.data.schema, config.data.train, config.data.eval, config.data.current];
  const own = config.paths
    ? config.paths.map(fromConfig)
    : [directory, ...commandFolders(loaded).map(inRoot)].map((d) => d && folder(d));
  const dependsOn = [inRoot(loaded.file), ...data.map((p) => p && fromConfig(p)), ...own];
  return {
    name: config.model.name,
    config: inRoot(loaded.file) ?? loaded.file,
    directory,
    dependsOn: [...new Set(dependsOn.filter((p): p is string => p !== undefined))],
  };
}

/** The folders of the files train.command names (`python ../common/train.py`): the training code. */
function commandFolders(loaded: LoadedConfig): string[] {
  const words = loaded.config.train.command?.split(/\s+/) ?? [];
  return words
    .map((word) => word.replace(/^['"]|['"]$/g, ''))
    .filter((word) => word !== '' && !word.startsWith('-') && !word.includes('='))
    .map((word) => loaded.resolve(word))
    .filter((path) => existsSync(path) && statSync(path).isFile())
    .map((path) => dirname(path));
}
