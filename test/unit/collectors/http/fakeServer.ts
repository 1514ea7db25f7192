import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** An in-process HTTP server on port 0 whose routes (by path without query) tests can swap. */
export interface FakeServer {
  readonly url: string;
  readonly routes: Map<string, Route>;
  /** Paths requested, in order (query included). */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function fakeServer(routes: Record<string, Route> = {}): Promise<FakeServer> {
  const map = new Map(Object.entries(routes));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const route = map.get(url.split('?')[0]!);
    if (route) route(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes: map,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A route answering JSON (a function is called at request time for the current value). */
export function json(body: unknown, status = 200): Route {
  return (_req, res) => {
    const value: unknown = typeof body === 'function' ? (body as () => unknown)() : body;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
}

/** A route answering raw text. */
export function text(body: string, status = 200, contentType = 'text/html'): Route {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}

/** A route answering a redirect. */
export function redirect(location: string | (() => string), status = 307): Route {
  return (_req, res) => {
    res.writeHead(status, { location: typeof location === 'function' ? location() : location });
    res.end();
  };
}
