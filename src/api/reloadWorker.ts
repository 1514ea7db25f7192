/**
 * The recommendation cache's reload, in a worker thread (started by {@link WorkerSnapshotSource}):
 * reads every latest recommendation from Elasticsearch with its own client, packs the snapshot
 * ({@link RecommendationPacker}) into a buffer the main thread shares. Everything a reload
 * allocates (response bodies, parsed documents, their JSON, the sorts) lives and dies in this
 * thread's heap, so the server's event loop never waits for its garbage collections.
 *
 * The snapshot is written into one of two `SharedArrayBuffer`s (slot 0 or 1) that this worker
 * allocates and the main thread keeps: the main thread serves one and names the other as the
 * load's `target`, so a reload moves no memory into the main thread's heap. (Transferring a new
 * `ArrayBuffer` each time made the main thread's V8 count it as new external memory and run a
 * full mark-compact at every arrival: 28–72 ms at 130,000 jobs on the loaded machine.) A slot
 * too small for the new snapshot is replaced by a larger one, sent along once.
 *
 * Messages in: `{ type: 'load', id, target }`, `{ type: 'abort', id }`. Out: `{ type: 'loaded',
 * id, target, layout, packMs, readMs, buffer? }` (`buffer`: the slot's new buffer, when it
 * grew) or `{ type: 'failed', id, error }`.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { RightsizeError, toError } from '../errors/index.js';
import type { RecommendationPages, RecommendationPagesModule, RecommendationSourceSpec } from '../model/index.js';
import { RecommendationPacker, type PackedLayout } from './packed.js';

/** What the worker is started with (structured-cloned). */
export interface ReloadWorkerData {
  /** URL of a {@link RecommendationPagesModule} (serve: store/queries/recommendationSource). */
  readonly module: string;
  readonly spec: RecommendationSourceSpec;
}

/** Imports the pages module the worker was given and opens its source. */
async function openSource(data: ReloadWorkerData): Promise<RecommendationPages> {
  const mod = (await import(data.module)) as Partial<RecommendationPagesModule>;
  if (typeof mod.openRecommendationPages !== 'function') throw new RightsizeError('RS_ERR_CONFIG_INVALID', `${data.module} does not export openRecommendationPages`);
  return mod.openRecommendationPages(data.spec);
}

export type ReloadRequest = { readonly type: 'load'; readonly id: number; readonly target: 0 | 1 } | { readonly type: 'abort'; readonly id: number };
export type ReloadReply =
  | {
      readonly type: 'loaded';
      readonly id: number;
      readonly target: 0 | 1;
      readonly layout: PackedLayout;
      readonly packMs: number;
      readonly readMs: number;
      readonly buffer?: SharedArrayBuffer;
    }
  | { readonly type: 'failed'; readonly id: number; readonly error: { readonly code: string; readonly message: string } };

const port = parentPort;
if (port) {
  // A reload is background work: this thread runs at the lowest CPU priority, so on a busy
  // machine the serving thread gets the cores first. Only on Linux, which keeps nice values per
  // thread (elsewhere setpriority would lower the whole server). Where refused, the default stays.
  if (process.platform === 'linux') {
    try {
      setPriority(19);
    } catch {
      // Not permitted here: keep the default priority.
    }
  }
  const data = workerData as ReloadWorkerData;
  // Opened once (one client, its connections kept alive across reloads); a failure to open fails each load.
  const opened = openSource(data);
  opened.catch(() => undefined);
  const running = new Map<number, AbortController>();
  const slots: [SharedArrayBuffer | undefined, SharedArrayBuffer | undefined] = [undefined, undefined];
  const load = async (id: number, target: 0 | 1, signal: AbortSignal): Promise<void> => {
    try {
      const t0 = performance.now();
      // Each page is serialized into the packer as it arrives and then dropped.
      const packer = new RecommendationPacker();
      let skipped = 0;
      let packMs = 0;
      const source = await opened;
      for await (const page of source.pages(signal)) {
        const p0 = performance.now();
        for (const d of page.docs) packer.add(d);
        packMs += performance.now() - p0;
        skipped += page.skipped;
      }
      const t1 = performance.now();
      const readMs = t1 - t0 - packMs;
      let grown: SharedArrayBuffer | undefined;
      // Checked right before the (synchronous) write: once an abort has arrived, this load never writes.
      signal.throwIfAborted();
      const { layout } = packer.finish(skipped, (bytes) => {
        const have = slots[target];
        if (have !== undefined && have.byteLength >= bytes) return have;
        // A quarter more than needed, so a slowly growing store does not send a buffer every time.
        grown = new SharedArrayBuffer(Math.ceil(bytes * 1.25));
        slots[target] = grown;
        return grown;
      });
      packMs += performance.now() - t1;
      const reply: ReloadReply = { type: 'loaded', id, target, layout, packMs, readMs, ...(grown !== undefined ? { buffer: grown } : {}) };
      port.postMessage(reply);
    } catch (err) {
      const e = toError(err);
      const reply: ReloadReply = { type: 'failed', id, error: { code: err instanceof RightsizeError ? err.code : e.name, message: e.message } };
      port.postMessage(reply);
    } finally {
      running.delete(id);
    }
  };
  port.on('message', (m: ReloadRequest) => {
    if (m.type === 'abort') return running.get(m.id)?.abort();
    const ctl = new AbortController();
    running.set(m.id, ctl);
    void load(m.id, m.target, ctl.signal);
  });
  port.on('close', () => void opened.then((s) => s.close()).catch(() => undefined));
}
