import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../util/index.js';

/** What a route answers. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (req: IncomingMessage, url: URL) => Reply;

/** JSON reply helper. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, body, headers };
}

/**
 * A minimal HTTP server around one synchronous handler. A handler that throws answers 500 with
 * a JSON error (the emulator never crashes on a request).
 */
export class JsonServer {
  readonly server: Server;
  private readonly _logger: Logger;
  private _closed = false;

  constructor(handler: Handler, logger: Logger) {
    this._logger = logger;
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let reply: Reply;
      try {
        const url = new URL(req.url ?? '/', 'http://emulator.invalid');
        reply = handler(req, url);
      } catch (err) {
        this._logger.error({ err, url: req.url }, 'emulator handler failed');
        reply = json({ error: (err as Error).message }, 500);
      }
      const headers: Record<string, string> = { ...(reply.headers ?? {}) };
      let payload = '';
      if (reply.body !== undefined) {
        payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        headers['content-type'] ??= typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
      }
      res.writeHead(reply.status, headers);
      res.end(req.method === 'HEAD' ? undefined : payload);
    });
    this.server.keepAliveTimeout = 1000;
  }

  /** Listens on host:port (0 = a free port) and resolves the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    if (this._closed) return Promise.resolve();
    this._closed = true;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
