/**
 * The load of the hardening probes (test/faults/probes.test.ts), in a process of its own so the
 * test process that times the scheduler's lookups does not also parse megabytes of pages or hold
 * thousands of sockets (started by {@link ./load.ts} with a raised open-files limit).
 *
 *   node --import tsx loadChild.ts '{"mode":"lists","base":"http://…","paths":[…],"concurrency":200,"requests":1000}'
 *   node --import tsx loadChild.ts '{"mode":"idle","host":"127.0.0.1","port":8080,"sockets":20000,"pending":256}'
 *
 * Prints JSON lines: `lists` one `{"event":"done",…}`; `idle` `{"event":"opened",…}` once every
 * socket connected (or failed), then, after a line on stdin, `{"event":"done",…}`.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface ListsLoad {
  readonly mode: 'lists';
  readonly base: string;
  /** Requested in turn by every worker. */
  readonly paths: readonly string[];
  readonly concurrency: number;
  /** Requests in all. */
  readonly requests: number;
}

export interface IdleLoad {
  readonly mode: 'idle';
  readonly host: string;
  readonly port: number;
  readonly sockets: number;
  /** Connects in progress at most. */
  readonly pending: number;
}

export interface ListsResult {
  readonly event: 'done';
  readonly requests: number;
  readonly ok: number;
  readonly statuses: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly bytes: number;
  readonly durationsMs: number[];
  readonly wallMs: number;
}

export interface IdleResult {
  readonly event: 'opened' | 'done';
  /** Sockets that connected. */
  readonly connected: number;
  /** Connects that failed, by code. */
  readonly connectErrors: Record<string, number>;
  /** Connected sockets the server closed (evicted, or timed out), until released. */
  readonly closedByServer: number;
  /** Connected sockets still open. */
  readonly openNow: number;
  /** Most sockets open at once on this side. */
  readonly peakOpen: number;
  readonly wallMs: number;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

async function lists(load: ListsLoad): Promise<ListsResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.concurrency });
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const durationsMs: number[] = [];
  let bytes = 0;
  let ok = 0;
  let issued = 0;
  const t0 = performance.now();
  const one = (path: string): Promise<void> =>
    new Promise((resolve) => {
      const start = performance.now();
      const req = request(`${load.base}${path}`, { agent, timeout: 60_000 }, (res) => {
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => {
          durationsMs.push(performance.now() - start);
          bump(statuses, String(res.statusCode));
          if (res.statusCode === 200) ok++;
          resolve();
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          bump(errors, err.code ?? err.message);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        bump(errors, err.code ?? err.message);
        resolve();
      });
      req.end();
    });
  const worker = async (w: number): Promise<void> => {
    for (let i = w; issued < load.requests; i++) {
      issued++;
      await one(load.paths[i % load.paths.length]!);
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, (_, w) => worker(w)));
  agent.destroy();
  return { event: 'done', requests: issued, ok, statuses, errors, bytes, durationsMs, wallMs: performance.now() - t0 };
}

async function idle(load: IdleLoad, stop: Promise<void>, report: (r: IdleResult) => void): Promise<void> {
  const connectErrors: Record<string, number> = {};
  let connected = 0;
  let closedByServer = 0;
  let openNow = 0;
  let peakOpen = 0;
  let started = 0;
  let settled = 0;
  let stopping = false;
  const t0 = performance.now();
  const held = new Set<ReturnType<typeof connect>>();
  const snapshot = (event: IdleResult['event']): IdleResult => ({ event, connected, connectErrors, closedByServer, openNow, peakOpen, wallMs: performance.now() - t0 });
  await new Promise<void>((allSettled) => {
    const next = (): void => {
      while (started < load.sockets && started - settled < load.pending) {
        started++;
        const s = connect(load.port, load.host);
        let isConnected = false;
        s.once('connect', () => {
          isConnected = true;
          connected++;
          openNow++;
          peakOpen = Math.max(peakOpen, openNow);
          held.add(s);
          settled++;
          if (settled === load.sockets) allSettled();
          else next();
        });
        s.on('error', (err: NodeJS.ErrnoException) => {
          if (isConnected) return; // a reset of an evicted socket: counted at close
          bump(connectErrors, err.code ?? err.message);
          settled++;
          if (settled === load.sockets) allSettled();
          else next();
        });
        s.once('close', () => {
          if (!isConnected) return;
          openNow--;
          held.delete(s);
          if (!stopping) closedByServer++;
        });
      }
    };
    next();
  });
  report(snapshot('opened'));
  await stop;
  report(snapshot('done'));
  stopping = true;
  for (const s of held) s.destroy();
}

const load = JSON.parse(process.argv[2] ?? '{}') as ListsLoad | IdleLoad;
const print = (r: unknown): void => void process.stdout.write(`${JSON.stringify(r)}\n`);
if (load.mode === 'lists') {
  print(await lists(load));
} else {
  const stop = new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
    process.stdin.once('end', () => resolve());
  });
  await idle(load, stop, print);
}
process.exit(0);
