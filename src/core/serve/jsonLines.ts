/**
 * A logger of JSON lines that writes once per event-loop turn: under load one write carries the
 * lines of many requests (a write to a file or pipe is a blocking system call in Node). `flush`
 * writes what is pending at once, for shutdown.
 */
export function jsonLines(write: (text: string) => void): {
  log: (entry: Record<string, unknown>) => void;
  flush: () => void;
} {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    const text = pending;
    pending = '';
    write(text);
  };
  return {
    log(entry) {
      pending += `${JSON.stringify(entry)}\n`;
      if (scheduled) return;
      scheduled = true;
      setImmediate(flush);
    },
    flush,
  };
}
