/** Longest line kept whole; a longer one (a progress bar gone wrong) is cut into pieces. */
const MAX_LINE = 64 * 1024;

/**
 * Splits a stream of text into lines as it arrives. A carriage return ends a line too, so the
 * `\r`-redrawn progress bars of tqdm and friends show up as they advance instead of at the end.
 */
export class LineSplitter {
  private pending = '';

  /** Adds a chunk; returns the lines it completed. */
  push(chunk: string): string[] {
    this.pending += chunk;
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < this.pending.length; i++) {
      const char = this.pending[i];
      if (char !== '\n' && char !== '\r') continue;
      // "\r\n" is one line end; a "\r" at the end of the chunk waits for the next one.
      if (char === '\r' && i === this.pending.length - 1) break;
      lines.push(this.pending.slice(start, i));
      if (char === '\r' && this.pending[i + 1] === '\n') i++;
      start = i + 1;
    }
    this.pending = this.pending.slice(start);
    while (this.pending.length > MAX_LINE) {
      lines.push(this.pending.slice(0, MAX_LINE));
      this.pending = this.pending.slice(MAX_LINE);
    }
    return lines;
  }

  /** The unterminated rest, as a last line (none when empty). */
  flush(): string[] {
    const rest = this.pending.replace(/\r$/, '');
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}

/** The last `size` lines seen. */
export class Tail {
  private readonly lines: string[] = [];
  constructor(private readonly size: number) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  get(): string[] {
    return [...this.lines];
  }
}

/** The last few non-blank lines on one line, for an error message. */
export function tailSummary(lines: readonly string[], count = 5, maxLength = 600): string {
  const picked = lines
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ');
  if (picked === '') return '(no output)';
  return picked.length > maxLength ? `…${picked.slice(-maxLength)}` : picked;
}
