/**
 * A raw HTTP/1.1 client over `node:net`, for tests that must choose the bytes
 * on the wire (framing, pauses between writes, pipelining) as fetch never
 * lets them: it writes exactly what it is given and reads back every complete
 * response, and says how the exchange ended when they do not all arrive.
 */
import { connect } from 'node:net';

/** Bytes to write, or a pause in milliseconds before the next write. */
export type Piece = string | Uint8Array | number;

/** One complete response: status, headers (lower-case names, last value wins) and body as UTF-8. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What came back on one connection. */
export interface RawExchange {
  /** `answered` once every expected response is complete; otherwise how the exchange failed. */
  outcome: 'answered' | 'closed' | 'reset' | 'timeout';
  /** The complete responses, at most as many as expected (what follows answers bytes nobody asked about). */
  responses: RawResponse[];
  ms: number;
  /** The start of what arrived, for failure messages. */
  received: string;
}

/** Options for {@link exchange}. */
export interface ExchangeOptions {
  /** How many responses the pieces ask for (pipelined requests); default 1. */
  responses?: number;
  /** How long to wait for them, in ms; default 5000. */
  timeoutMs?: number;
}

/**
 * The bytes of one request: request line, headers in order (duplicates kept),
 * then the body as given, whatever the headers claim about it.
 * @example request('POST', '/v1/decide', [['Host', 'localhost'], ['Content-Length', '7']], 'a=1&b=2')
 */
export function request(method: string, target: string, headers: ReadonlyArray<readonly [string, string]>, body: string | Uint8Array = ''): Buffer {
  const head = `${method} ${target} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/**
 * `body` as chunked transfer coding, in chunks of `size` bytes (the last may be shorter).
 * @example chunked('a=1&b=2', 3) // ['3\r\na=1\r\n', '3\r\n&b=\r\n', '1\r\n2\r\n', '0\r\n\r\n']
 */
export function chunked(body: string | Uint8Array, size: number, { extension = '', trailer = '' } = {}): Buffer[] {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const chunk = bytes.subarray(at, at + size);
    chunks.push(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}${extension}\r\n`), chunk, Buffer.from('\r\n')]));
  }
  chunks.push(Buffer.from(`0\r\n${trailer ? `${trailer}\r\n` : ''}\r\n`));
  return chunks;
}

/** The complete responses at the start of `buffer` (interim 1xx skipped); `closed` completes one delimited by the end of the connection. */
export function parseResponses(buffer: Buffer, closed = false): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const headEnd = buffer.indexOf('\r\n\r\n', at);
    if (headEnd < 0) return responses;
    const [statusLine = '', ...lines] = buffer.subarray(at, headEnd).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!match) throw new Error(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}`);
    const status = Number(match[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let next = headEnd + 4;
    if (status < 200) {
      at = next;
      continue;
    }
    let body: Buffer;
    if (status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buffer.indexOf('\r\n', next);
        if (lineEnd < 0) return responses;
        const size = parseInt(buffer.subarray(next, lineEnd).toString('latin1'), 16);
        if (size === 0) {
          const end = buffer.indexOf('\r\n\r\n', lineEnd);
          if (end < 0) return responses;
          next = end + 4;
          break;
        }
        if (buffer.length < lineEnd + 2 + size + 2) return responses;
        parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        next = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (buffer.length < next + length) return responses;
      body = buffer.subarray(next, next + length);
      next += length;
    } else if (closed) {
      body = buffer.subarray(next);
      next = buffer.length;
    } else {
      return responses;
    }
    responses.push({ status, headers, body: body.toString('utf8') });
    at = next;
  }
}

/**
 * Opens a connection to `url`'s host, writes `pieces` in order (numbers are
 * pauses) and waits for `responses` complete responses, the connection's end,
 * or the timeout, whichever comes first.
 * @example await exchange('http://localhost:8788', [request('GET', '/v1/health', [['Host', 'localhost:8788']])])
 */
export function exchange(url: string, pieces: readonly Piece[], { responses: expected = 1, timeoutMs = 5000 }: ExchangeOptions = {}): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), autoSelectFamily: true });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (outcome: RawExchange['outcome']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      let responses: RawResponse[] = [];
      try {
        responses = parseResponses(received, outcome === 'closed');
      } catch {
        // not HTTP: reported through `received`
      }
      resolve({ outcome: responses.length >= expected ? 'answered' : outcome, responses: responses.slice(0, expected), ms: Date.now() - started, received: received.subarray(0, 400).toString('latin1') });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      try {
        if (parseResponses(received).length >= expected) finish('answered');
      } catch {
        finish('closed');
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' ? 'reset' : 'closed'));
    socket.on('close', () => finish('closed'));
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (done || socket.destroyed) return;
        if (typeof piece === 'number') await new Promise((wait) => setTimeout(wait, piece));
        else socket.write(piece);
      }
    });
  });
}
