/**
 * A loopback HTTP proxy in front of a real upstream (the emulated Jenkins) that injects the faults
 * a bad day brings: 500s, answers that never come (timeouts), HTML login pages with status 200,
 * and bodies trickled slower than any timeout. It records when each request arrived.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode = 'forward' | 'status500' | 'hang' | 'htmlLogin' | 'slowBody';

export class FaultProxy {
  mode: FaultMode = 'forward';
  /** Arrival time and mode of every request. */
  readonly requests: { atMs: number; mode: FaultMode; path: string }[] = [];
  private _server: Server | undefined;
  private readonly _sockets = new Set<Socket>();
  private readonly _timers = new Set<NodeJS.Timeout>();

  constructor(private readonly _upstream: URL) {}

  get url(): string {
    return `http://127.0.0.1:${(this._server!.address() as AddressInfo).port}/`;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => this._handle(req, res));
    server.on('connection', (s) => {
      this._sockets.add(s);
      s.on('close', () => this._sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this._server = server;
  }

  async close(): Promise<void> {
    for (const t of this._timers) clearInterval(t);
    for (const s of this._sockets) s.destroy();
    const s = this._server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private _handle(req: IncomingMessage, res: ServerResponse): void {
    const mode = this.mode;
    this.requests.push({ atMs: Date.now(), mode, path: req.url ?? '/' });
    switch (mode) {
      case 'status500':
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<html><body><h2>HTTP ERROR 500 java.lang.NullPointerException</h2></body></html>');
        return;
      case 'hang':
        return; // never answers; the socket is destroyed at close()
      case 'htmlLogin':
        res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
        res.end('<!DOCTYPE html><html><head><title>Sign in [Jenkins]</title></head><body><form name="login" action="j_spring_security_check" method="post"><input name="j_username"></form></body></html>');
        return;
      case 'slowBody': {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4000' });
        res.write('{"jobs":[');
        const t = setInterval(() => {
          if (res.destroyed) {
            clearInterval(t);
            this._timers.delete(t);
            return;
          }
          res.write(' ');
        }, 500);
        this._timers.add(t);
        res.on('close', () => {
          clearInterval(t);
          this._timers.delete(t);
        });
        return;
      }
      case 'forward': {
        const up = request({ host: this._upstream.hostname, port: this._upstream.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.destroy());
        req.pipe(up);
      }
    }
  }
}
