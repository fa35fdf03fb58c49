/**
 * Bytes of request data the serving path has copied since the process started: into the body
 * buffer, into a tensor, into a merged batch, into the text of a JSON body (or a binary request's
 * JSON header) decoded whole for JSON.parse. A count, not a timing, so that a test can hold the
 * path to at most one copy of a request's tensor bytes or /predict rows (issue 19's perf guard)
 * without flaking.
 */
let copied = 0;

/** Notes a copy of `bytes` bytes of request data. */
export function countCopy(bytes: number): void {
  copied += bytes;
}

/** The bytes of request data copied so far (a test reads it before and after a request). */
export function copiedBytes(): number {
  return copied;
}
