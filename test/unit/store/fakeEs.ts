import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** What the fake answers for one `create` item. `store` says whether the document is kept. */
export interface ItemAnswer {
  readonly status: number;
  readonly error?: { readonly type: string; readonly reason: string };
}

export interface FakeEsOptions {
  /** Decides an item's answer before the default (201 created / 409 exists). Return undefined for the default. */
  readonly item?: (ctx: { id: string; index: string; doc: Record<string, unknown>; seenBefore: number }) => ItemAnswer | undefined;
  /** Called per request after the items are processed; return 'drop' to destroy the socket instead of answering. */
  readonly afterIndex?: (requestNo: number) => 'answer' | 'drop';
  /** Delay before answering, ms. */
  readonly delayMs?: number;
}

/**
 * An in-process stand-in for Elasticsearch's `_bulk` endpoint on port 0: it parses the NDJSON,
 * keeps documents by `_index/_id`, answers `create` with 201 or 409 like Elasticsearch does,
 * and can be told to fail items, drop connections or answer slowly.
 */
export class FakeEs {
  readonly docs = new Map<string, Record<string, unknown>>();
  /** Every `_id` seen in a request, with how many times. */
  readonly attempts = new Map<string, number>();
  readonly requestBodies: number[] = [];
  requests = 0;
  inFlight = 0;
  maxInFlight = 0;
  private _server: Server | undefined;
  private readonly _sockets = new Set<Socket>();

  constructor(private readonly _opts: FakeEsOptions = {}) {}

  /** Starts listening on `port` (0: any free port) and returns the port. */
  async listen(port = 0): Promise<number> {
    const server = createServer((req, res) => void this._handle(req, res));
    server.on('connection', (s) => {
      this._sockets.add(s);
      s.on('close', () => this._sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this._server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this._server;
    if (!server) return;
    this._server = undefined;
    for (const s of this._sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async _handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || !req.url?.startsWith('/_bulk')) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end('{"error":"not found","status":404}');
      return;
    }
    this.requests += 1;
    const requestNo = this.requests;
    this.requestBodies.push(Buffer.byteLength(body));
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const lines = body.split('\n').filter((l) => l !== '');
    const items: unknown[] = [];
    let errors = false;
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as { create: { _index: string; _id: string } };
      const doc = JSON.parse(lines[i + 1]!) as Record<string, unknown>;
      const { _index: index, _id: id } = action.create;
      const key = `${index}/${id}`;
      const seenBefore = this.attempts.get(key) ?? 0;
      this.attempts.set(key, seenBefore + 1);
      let answer = this._opts.item?.({ id, index, doc, seenBefore });
      if (answer === undefined) {
        if (this.docs.has(key)) {
          answer = { status: 409, error: { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict, document already exists` } };
        } else {
          this.docs.set(key, doc);
          answer = { status: 201 };
        }
      }
      if (answer.status >= 300) errors = true;
      items.push({ create: { _index: index, _id: id, status: answer.status, ...(answer.error ? { error: answer.error } : {}) } });
    }
    if (this._opts.delayMs) await new Promise((r) => setTimeout(r, this._opts.delayMs));
    this.inFlight -= 1;
    if ((this._opts.afterIndex?.(requestNo) ?? 'answer') === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
    res.end(JSON.stringify({ took: 1, errors, items }));
  }
}

/** A free TCP port nobody listens on (yet). */
export async function freePort(): Promise<number> {
  const f = new FakeEs();
  const port = await f.listen(0);
  await f.close();
  return port;
}

/** Polls `cond` until it holds or the deadline passes (then fails with `what`). */
export async function until(cond: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A pino logger whose JSON lines are kept in memory. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}
