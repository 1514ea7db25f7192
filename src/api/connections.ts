/**
 * The API's connection cap (issue 15 probe b). Node's own `server.maxConnections` closes every
 * NEW connection at the cap, so a client holding idle sockets (about 20,000 of them) locked the
 * schedulers out until the idle timeouts freed some. Here a new connection at the cap is taken in
 * by closing the one that costs least to lose: the oldest connection that never sent a complete
 * request (an idle or half-sent socket), else the one idle the longest between requests; only when
 * every connection has a request in flight is the new one refused.
 *
 * {@link ConnectionTable} is the decision (pure: no sockets, no timers; ordered by arrival);
 * {@link capConnections} plugs it into an `http.Server`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What a connection is doing: `unused` (no complete request yet), `busy` (a request in flight), `idle` (between requests). */
export type ConnectionState = 'unused' | 'busy' | 'idle';

/** Why a connection was closed to make room: it had never been used, or it was idle. */
export type EvictedState = Exclude<ConnectionState, 'busy'>;

/** The outcome of a new connection: taken in (after closing `evict`, if given), or refused. */
export type Admission<K> = { readonly admitted: true; readonly evict?: { readonly id: K; readonly state: EvictedState } } | { readonly admitted: false };

export interface ConnectionStats {
  /** Connections open now. */
  readonly open: number;
  /** Connections closed to make room for a new one, by what they were doing. */
  readonly evicted: Readonly<Record<EvictedState, number>>;
  /** New connections refused because every open one had a request in flight. */
  readonly refused: number;
}

/**
 * The open connections by state, each state in the order its members entered it, so the first
 * `unused` is the oldest never-used connection and the first `idle` the one idle the longest.
 * Every operation is O(1).
 */
export class ConnectionTable<K> {
  private readonly _unused = new Set<K>();
  private readonly _idle = new Set<K>();
  /** Requests in flight per busy connection (HTTP/1.1 pipelining can make it more than one). */
  private readonly _busy = new Map<K, number>();
  private readonly _evicted: Record<EvictedState, number> = { unused: 0, idle: 0 };
  private _refused = 0;

  constructor(readonly maxConnections: number) {
    if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new RangeError(`maxConnections must be a positive integer, got ${maxConnections}`);
  }

  get open(): number {
    return this._unused.size + this._idle.size + this._busy.size;
  }

  stateOf(id: K): ConnectionState | undefined {
    if (this._busy.has(id)) return 'busy';
    if (this._idle.has(id)) return 'idle';
    return this._unused.has(id) ? 'unused' : undefined;
  }

  /**
   * A new connection `id`. Below the cap it is taken in. At the cap the oldest `unused`
   * connection, else the longest `idle` one, leaves the table (the caller closes it) and `id` is
   * taken in; with every connection busy `id` is refused (the caller closes it).
   */
  admit(id: K): Admission<K> {
    if (this.stateOf(id) !== undefined) return { admitted: true };
    if (this.open < this.maxConnections) {
      this._unused.add(id);
      return { admitted: true };
    }
    const victim = first(this._unused);
    const state: EvictedState = victim.found ? 'unused' : 'idle';
    const v = victim.found ? victim : first(this._idle);
    if (!v.found) {
      this._refused++;
      return { admitted: false };
    }
    (state === 'unused' ? this._unused : this._idle).delete(v.value);
    this._evicted[state]++;
    this._unused.add(id);
    return { admitted: true, evict: { id: v.value, state } };
  }

  /** A request on `id` was received (its headers parsed). Unknown ids are ignored. */
  requestStarted(id: K): void {
    const inFlight = this._busy.get(id);
    if (inFlight !== undefined) {
      this._busy.set(id, inFlight + 1);
      return;
    }
    if (!this._unused.delete(id) && !this._idle.delete(id)) return;
    this._busy.set(id, 1);
  }

  /** A request on `id` was answered or abandoned; with none left in flight the connection is idle (the newest idle one). */
  requestFinished(id: K): void {
    const inFlight = this._busy.get(id);
    if (inFlight === undefined) return;
    if (inFlight > 1) {
      this._busy.set(id, inFlight - 1);
      return;
    }
    this._busy.delete(id);
    this._idle.add(id);
  }

  /** `id` is gone (closed by either side, or evicted earlier). */
  closed(id: K): void {
    this._unused.delete(id);
    this._idle.delete(id);
    this._busy.delete(id);
  }

  stats(): ConnectionStats {
    return { open: this.open, evicted: { ...this._evicted }, refused: this._refused };
  }
}

function first<K>(set: ReadonlySet<K>): { found: true; value: K } | { found: false } {
  for (const value of set) return { found: true, value };
  return { found: false };
}

export interface CapConnectionsOptions {
  /** Open connections at most (config `api.maxConnections`). */
  readonly maxConnections: number;
}

/**
 * Caps the connections of `server` with a {@link ConnectionTable}: a socket closed to make room,
 * or refused, is destroyed at once. Replaces Node's `server.maxConnections` (which refuses every
 * new connection at the cap). Returns the table's counters, read on every `/metrics` scrape.
 */
export function capConnections(server: Server, opts: CapConnectionsOptions): { stats: () => ConnectionStats } {
  const table = new ConnectionTable<Socket>(opts.maxConnections);
  server.maxConnections = Infinity;
  server.on('connection', (socket: Socket) => {
    const a = table.admit(socket);
    if (!a.admitted) {
      socket.destroy();
      return;
    }
    a.evict?.id.destroy();
    socket.once('close', () => table.closed(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { socket } = req;
    table.requestStarted(socket);
    res.once('close', () => table.requestFinished(socket));
  });
  return { stats: () => table.stats() };
}
