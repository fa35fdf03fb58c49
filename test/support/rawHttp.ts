import { connect, type Socket } from 'node:net';

/** What came back on a raw connection: the status line's code, the headers and the body. */
export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything received, as text. */
  raw: string;
}

/** Parses the first HTTP/1.1 response in `raw` (content-length bodies only); undefined if none. */
export function parseRawReply(raw: string): RawReply | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = Buffer.from(raw.slice(end + 4), 'latin1');
  const length = Number(headers['content-length'] ?? rest.length);
  return { status, headers, body: rest.subarray(0, length).toString('utf8'), raw };
}

/**
 * Sends `chunks` on a fresh TCP connection (each after `gapMs`), then reads until the server
 * closes the connection or `waitMs` passes, and parses the first reply. With `abortAfter`, the
 * socket is destroyed right after the chunks are written (a client that gives up mid-request);
 * with `reset` too, by a TCP reset.
 */
export function rawRequest(
  port: number,
  chunks: (string | Buffer)[],
  options: { gapMs?: number; waitMs?: number; abortAfter?: boolean; reset?: boolean } = {},
): Promise<RawReply | undefined> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseRawReply(received));
    };
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.on('connect', () => {
      void (async () => {
        for (const [i, chunk] of chunks.entries()) {
          if (socket.destroyed) return;
          if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
          await new Promise<void>((r) => socket.write(chunk, () => r()));
        }
        if (options.abortAfter) {
          // A reset (TCP RST) is a socket error on the server's side; a plain close is an abort.
          if (options.reset) socket.resetAndDestroy();
          return done();
        }
        timer = setTimeout(done, options.waitMs ?? 5_000);
      })();
    });
  });
}
