/**
 * A hostile Docker engine for regression tests: a raw TCP server on 127.0.0.1, port 0, that
 * answers every request with whatever bytes the test scripts (a cut body, a redirect, an endless
 * body), so the client sees exactly what a broken or malicious engine sends.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HostileServer {
  readonly port: number;
  /** Request lines received (`GET /containers/json HTTP/1.1`). */
  readonly requests: string[];
  /** Bytes written to clients so far. */
  bytesSent(): number;
  close(): Promise<void>;
}

/**
 * Starts a server that calls `answer` once per request head received on a connection (the
 * socket is the client's; `answer` writes and ends or destroys it).
 */
export async function startHostileServer(answer: (socket: Socket, requestLine: string, counter: { sent: number }) => void): Promise<HostileServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const counter = { sent: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const line = head.slice(0, head.indexOf('\r\n'));
      head = head.slice(end + 4);
      requests.push(line);
      answer(socket, line, counter);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    bytesSent: () => counter.sent,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `text` and counts it. */
export function send(socket: Socket, counter: { sent: number }, text: string | Buffer): boolean {
  counter.sent += typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  return socket.write(text);
}

/** Rejects with a clear message when `promise` has not settled within `ms` (a hang fails the test instead of wedging it). */
export async function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}
