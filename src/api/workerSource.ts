import { Worker } from 'node:worker_threads';
import { ERROR_CODES, RightsizeError, type ErrorCode } from '../errors/index.js';
import type { LoadedSnapshot, SnapshotSource } from './cache.js';
import type { ReloadReply, ReloadRequest, ReloadWorkerData } from './reloadWorker.js';

/**
 * How to start the reload worker from where this module runs: the built `reloadWorker.js` next to
 * it (dist), or, when running from the `.ts` sources (tsx, vitest), `reloadWorker.ts` through
 * tsx's loader, registered inside the worker (node does not apply `--import tsx` from a
 * worker's execArgv to its main module).
 */
function startWorker(data: ReloadWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./reloadWorker.js', here), { workerData: data });
  const target = JSON.stringify(new URL('./reloadWorker.ts', here).href);
  return new Worker(`import { register } from 'tsx/esm/api'; register(); await import(${target});`, { eval: true, workerData: data });
}

const isErrorCode = (c: string): c is ErrorCode => Object.hasOwn(ERROR_CODES, c);

interface Pending {
  resolve(s: LoadedSnapshot): void;
  reject(e: Error): void;
}

/**
 * The cache's {@link SnapshotSource} in serve: one long-lived worker thread (src/api/reloadWorker.ts)
 * that reads Elasticsearch and packs each reload into the one of two shared buffers that is not
 * being served (zero-copy, and no new memory on this thread's heap). A worker that dies is
 * replaced at the next load (with new buffers).
 */
export class WorkerSnapshotSource implements SnapshotSource {
  private _worker: Worker | undefined;
  private _nextId = 1;
  private readonly _pending = new Map<number, Pending>();
  private _closed = false;
  /** The two shared buffers (the worker allocates them; this side keeps its handles) and the one served. */
  private readonly _slots: [SharedArrayBuffer | undefined, SharedArrayBuffer | undefined] = [undefined, undefined];
  private _served: 0 | 1 | undefined;

  constructor(private readonly _data: ReloadWorkerData) {}

  private _ensure(): Worker {
    if (this._worker) return this._worker;
    const w = startWorker(this._data);
    // The worker never keeps the process alive on its own (serve's server does).
    w.unref();
    w.on('message', (m: ReloadReply) => {
      // A grown buffer replaces this side's handle even when its load was abandoned meanwhile:
      // the worker writes into it from now on.
      if (m.type === 'loaded' && m.buffer !== undefined) this._slots[m.target] = m.buffer;
      const p = this._pending.get(m.id);
      if (!p) return;
      this._pending.delete(m.id);
      if (m.type === 'loaded') {
        const buffer = this._slots[m.target];
        if (buffer === undefined) return p.reject(new RightsizeError('RS_ERR_STORE_UNAVAILABLE', 'the reload worker answered without its buffer'));
        this._served = m.target;
        p.resolve({ snapshot: { buffer, layout: m.layout }, packMs: m.packMs, inWorker: true });
      }
      // The worker's error keeps its code when it is one of ours (e.g. RS_ERR_STORE_UNREACHABLE).
      else p.reject(new RightsizeError(isErrorCode(m.error.code) ? m.error.code : 'RS_ERR_STORE_UNAVAILABLE', m.error.message));
    });
    const fail = (e: Error): void => {
      if (this._worker === w) {
        this._worker = undefined;
        // A new worker allocates its own buffers; the served one stays valid here.
        if (this._served !== 0) this._slots[0] = undefined;
        if (this._served !== 1) this._slots[1] = undefined;
      }
      for (const p of this._pending.values()) p.reject(e);
      this._pending.clear();
    };
    w.on('error', (e) => fail(new RightsizeError('RS_ERR_STORE_UNAVAILABLE', `the reload worker failed: ${e.message}`, { cause: e })));
    w.on('exit', (code) => fail(new RightsizeError('RS_ERR_STORE_UNAVAILABLE', `the reload worker exited (${code})`)));
    this._worker = w;
    return w;
  }

  load(signal: AbortSignal): Promise<LoadedSnapshot> {
    if (this._closed) return Promise.reject(new RightsizeError('RS_ERR_STORE_UNAVAILABLE', 'the reload worker is closed'));
    const w = this._ensure();
    const id = this._nextId++;
    return new Promise<LoadedSnapshot>((resolve, reject) => {
      const onAbort = (): void => {
        this._pending.delete(id);
        w.postMessage({ type: 'abort', id });
        reject(signal.reason as Error);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      this._pending.set(id, {
        resolve: (s) => (done(), resolve(s)),
        reject: (e) => (done(), reject(e)),
      });
      // The worker writes into the buffer not served now.
      const request: ReloadRequest = { type: 'load', id, target: this._served === 0 ? 1 : 0 };
      w.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this._closed = true;
    const w = this._worker;
    this._worker = undefined;
    if (w) await w.terminate();
  }
}
