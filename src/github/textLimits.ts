/** Characters GitHub accepts in an issue or pull request comment body. */
export const COMMENT_BODY_LIMIT = 65_536;
/** Characters GitHub accepts in a check run's output summary or text. */
export const CHECK_RUN_TEXT_LIMIT = 65_535;
/** Characters GitHub accepts in a commit status description. */
export const STATUS_DESCRIPTION_LIMIT = 140;

/** Cuts `text` at `length` UTF-16 units without splitting a surrogate pair. */
function cutAt(text: string, length: number): string {
  if (text.length <= length) return text;
  const code = text.charCodeAt(length - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? length - 1 : length;
  return text.slice(0, Math.max(0, end));
}

/**
 * Fits markdown into `limit` characters: cuts at a line end where it can, closes a code fence the
 * cut left open (else the note would render as code), and appends `note`.
 */
export function trimMarkdown(text: string, limit: number, note: string): string {
  if (text.length <= limit) return text;
  // Room for the note, two newlines and a closing fence (three to a dozen characters).
  const room = limit - note.length - 16;
  if (room <= 0) return cutAt(note, limit);
  let kept = cutAt(text, room);
  const lineEnd = kept.lastIndexOf('\n');
  if (lineEnd > room / 2) kept = kept.slice(0, lineEnd);
  const fence = openFence(kept);
  return `${kept}${fence ? `\n${fence}` : ''}\n\n${note}`;
}

/** The fence (``` or ~~~) of a code block left open at the end of `markdown`, if any. */
function openFence(markdown: string): string | undefined {
  let open: string | undefined;
  for (const match of markdown.matchAll(/^ {0,3}(`{3,}|~{3,})/gm)) {
    const marker = match[1] ?? '';
    if (open === undefined) open = marker;
    else if (marker[0] === open[0] && marker.length >= open.length) open = undefined;
  }
  return open;
}

/** Fits a one-line text into `limit` characters, ending with an ellipsis when it was cut. */
export function trimLine(text: string, limit: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= limit ? line : `${cutAt(line, limit - 1)}…`;
}
