/**
 * An error a user can act on: bad usage or unreadable input. Its message is one sentence naming
 * the file or call and what to do; the CLI prints it without a stack trace and exits 2.
 */
export class ModelshipError extends Error {
  override readonly name = 'ModelshipError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** True for errors meant to be shown to the user as they are. */
export function isModelshipError(error: unknown): error is ModelshipError {
  return error instanceof ModelshipError;
}

/** The message of anything thrown, for wrapping lower-level failures in a sentence of ours. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
