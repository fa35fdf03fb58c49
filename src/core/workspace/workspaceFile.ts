import { z } from 'zod';
import { loadYamlFile } from '../config/yamlFile.js';

/** The optional file at a repository's root that lists its models and the paths they share. */
export const WORKSPACE_FILE = 'modelship.workspace.yml';

export const workspaceSchema = z
  .object({
    models: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'The models: their modelship.yml files (any file name), folders holding a modelship.yml, or globs of either, relative to this file. Default: every modelship.yml in the repository.',
      ),
    shared: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Paths or globs, relative to this file, that every model depends on (shared code, a lock file): a change to one affects every model.',
      ),
  })
  .strict();

export type WorkspaceFile = z.output<typeof workspaceSchema>;

/** Reads and validates modelship.workspace.yml. */
export function loadWorkspaceFile(file: string): WorkspaceFile {
  return loadYamlFile(file, workspaceSchema, 'workspace file') ?? { shared: [] };
}
