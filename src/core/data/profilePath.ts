/**
 * True when a path names a profile rather than data: by extension (.json; JSON Lines is .jsonl).
 * Apart from the profile reader, so that telling the two apart loads no zod.
 */
export function isProfilePath(path: string): boolean {
  return /\.json$/i.test(path);
}
