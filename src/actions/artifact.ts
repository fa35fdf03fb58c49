/**
 * Uploads files as a workflow artifact, for every action that leaves files for later jobs: train
 * (the model with its manifest and metrics, for the evaluate job on a standard runner), evaluate
 * and deploy (their reports).
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { DefaultArtifactClient, type ArtifactClient } from '@actions/artifact';
import * as core from '@actions/core';
import { ModelshipError, messageOf } from '../core/errors.js';

/** Characters @actions/artifact refuses in an artifact name. */
const INVALID_NAME_CHARACTERS = /[":<>|*?\r\n\\/]/g;

export interface ArtifactInput {
  /** The artifact's name (`artifact-name`; default `defaultArtifactName(model.name)`). */
  name: string;
  /**
   * Files to upload (absolute, or relative to the current directory), each below
   * `rootDirectory`: their paths relative to it are their paths in the zip.
   */
  files: readonly string[];
  rootDirectory: string;
  /** Days to keep the artifact; the repository's own limit caps it. Default: the repository's. */
  retentionDays?: number;
  /**
   * Replace an artifact of the same name uploaded earlier in this workflow run (deleted first,
   * as actions/upload-artifact's `overwrite: true` does). Default false: such a name is an error.
   */
  overwrite?: boolean;
  /** For tests; default `new DefaultArtifactClient()`. */
  client?: ArtifactClient;
}

export interface UploadedArtifact {
  name: string;
  id: number;
  /** Bytes uploaded (the zip's size). */
  size: number;
  /** `sha256` of the zip, hex, when the client reports it. */
  digest?: string;
  /** The id of the artifact this upload replaced (`overwrite: true` only). */
  replacedId?: number;
}

/** `candidate-<model.name>`, with the characters an artifact name cannot hold made `-`. */
export function defaultArtifactName(modelName: string): string {
  return `candidate-${modelName}`.replace(INVALID_NAME_CHARACTERS, '-');
}

/**
 * Uploads `files` as one zip artifact. Artifact names are unique within a workflow run: a name
 * already used in this run is a ModelshipError telling the user to choose another
 * `artifact-name`, unless `overwrite` is set, in which case the earlier artifact is deleted
 * and replaced.
 */
export async function uploadArtifact(input: ArtifactInput): Promise<UploadedArtifact> {
  const { name } = input;
  checkName(name);
  const rootDirectory = resolve(input.rootDirectory);
  const files = input.files.map((file) => checkFile(rootDirectory, file));
  if (files.length === 0) {
    throw new ModelshipError(`artifact "${name}": there are no files to upload.`);
  }
  const retentionDays = input.retentionDays;
  if (retentionDays !== undefined && !(Number.isInteger(retentionDays) && retentionDays > 0)) {
    throw new ModelshipError(
      `artifact "${name}": retention days must be a whole number of days of at least 1, not ${retentionDays}.`,
    );
  }
  const client = input.client ?? new DefaultArtifactClient();

  let replacedId: number | undefined;
  if (input.overwrite) {
    const { artifacts } = await client.listArtifacts({ latest: true });
    const earlier = artifacts.find((artifact) => artifact.name === name);
    if (earlier) {
      await client.deleteArtifact(name);
      replacedId = earlier.id;
      core.info(`Deleted the earlier artifact "${name}" (id ${earlier.id}) to replace it.`);
    }
  }

  let uploaded;
  try {
    uploaded = await client.uploadArtifact(name, files, rootDirectory, { retentionDays });
  } catch (error) {
    const message = messageOf(error);
    if (/\(409\)|already exists/i.test(message)) {
      throw new ModelshipError(
        `An artifact named "${name}" already exists in this workflow run; set a different \`artifact-name\` (each job of a matrix needs its own).`,
      );
    }
    throw new ModelshipError(`Uploading the artifact "${name}" failed: ${message}`);
  }
  if (uploaded.id === undefined) {
    throw new ModelshipError(`Uploading the artifact "${name}" failed: the service gave no id.`);
  }
  return {
    name,
    id: uploaded.id,
    size: uploaded.size ?? 0,
    ...(uploaded.digest ? { digest: uploaded.digest } : {}),
    ...(replacedId !== undefined ? { replacedId } : {}),
  };
}

function checkName(name: string): void {
  if (name.trim() === '') {
    throw new ModelshipError('artifact-name is empty; give the artifact a name.');
  }
  const invalid = [...new Set(name.match(INVALID_NAME_CHARACTERS) ?? [])];
  if (invalid.length > 0) {
    throw new ModelshipError(
      `artifact-name "${name}" contains ${invalid.map((c) => JSON.stringify(c)).join(', ')}, which artifact names cannot hold; remove ${invalid.length > 1 ? 'them' : 'it'}.`,
    );
  }
}

function checkFile(rootDirectory: string, file: string): string {
  const path = resolve(file);
  const below = relative(rootDirectory, path);
  if (below === '' || below.startsWith('..') || isAbsolute(below)) {
    throw new ModelshipError(
      `${file}: the file is not below the artifact's root directory ${rootDirectory}; move it there or choose another root.`,
    );
  }
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new ModelshipError(`${file}: no such file to upload as an artifact; check the path.`);
  }
  return path;
}
