/**
 * Client-controlled text (request ids, paths, names) on its way into a response header or a log
 * line. Headers carry printable ASCII only; anything else is percent-encoded as UTF-8 bytes, so
 * no value can make Node refuse the header (ERR_INVALID_CHAR) or split it.
 */

/** The longest request id the server echoes; longer ones are not echoed at all. */
export const MAX_ID_LENGTH = 256;
/** Paths in log lines are cut to this many characters. */
export const MAX_LOGGED_PATH = 512;

/** `text` as a header value: printable ASCII kept (but `%`), every other byte as %XX. Never throws. */
export function headerSafe(text: string): string {
  if (/^[\x21-\x24\x26-\x7e]*$/.test(text)) return text;
  let out = '';
  // Lone surrogates become U+FFFD here (Buffer.from never throws).
  for (const byte of Buffer.from(text, 'utf8')) {
    out +=
      byte >= 0x21 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A request path for a log line: header-safe (printable ASCII) and at most MAX_LOGGED_PATH long. */
export function loggedPath(path: string): string {
  const safe = headerSafe(path);
  return safe.length > MAX_LOGGED_PATH ? `${safe.slice(0, MAX_LOGGED_PATH - 3)}...` : safe;
}
