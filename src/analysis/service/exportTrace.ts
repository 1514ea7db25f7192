import { createWriteStream, openSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Client } from '@elastic/elasticsearch';
import { RightsizeError, StoreError, redactUrl, toError } from '../../errors/index.js';
import { storeCodeOf } from '../../store/index.js';
import { exportBuildPages } from '../../store/queries/index.js';

export interface ExportTraceOptions {
  readonly client: Client;
  readonly prefix: string;
  /** For error messages only (redacted). */
  readonly url: string;
  /** Builds that ended in [fromMs, toMs]. */
  readonly fromMs: number;
  readonly toMs: number;
  /** A file path, or a stream (standard output) that is written to but not closed. */
  readonly out: string | Writable;
  readonly pageSize?: number;
}

export interface ExportTraceResult {
  readonly builds: number;
  readonly pages: number;
}

/**
 * Streams the `builds` documents of a window, exactly as stored, into an NDJSON trace file (the
 * format `replay --trace` and `analyze --from` read), one page at a time with backpressure.
 *
 * @throws StoreError `RS_ERR_STORE_UNREACHABLE` / `_TIMEOUT` naming the URL; RightsizeError `RS_ERR_TRACE_READ`
 *   when the file or stream cannot be written.
 */
export async function exportTrace(o: ExportTraceOptions): Promise<ExportTraceResult> {
  try {
    await o.client.cluster.health({}, { maxRetries: 0 });
  } catch (err) {
    throw new StoreError(storeCodeOf(err), `Elasticsearch at ${redactUrl(o.url)} cannot be reached: ${err instanceof Error ? err.message : String(err)}`, {
      meta: { target: redactUrl(o.url) },
      cause: err,
    });
  }
  const name = typeof o.out === 'string' ? o.out : 'standard output';
  let stream: Writable;
  if (typeof o.out === 'string') {
    let fd: number;
    try {
      fd = openSync(o.out, 'w');
    } catch (err) {
      throw new RightsizeError('RS_ERR_TRACE_READ', `cannot write ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    stream = createWriteStream('', { fd });
  } else stream = o.out;
  const owned = typeof o.out === 'string';
  let streamError: unknown;
  const onError = (err: unknown): void => {
    streamError = err;
  };
  stream.on('error', onError);
  let builds = 0;
  let pages = 0;
  try {
    for await (const page of exportBuildPages(o.client, { prefix: o.prefix, fromMs: o.fromMs, toMs: o.toMs, ...(o.pageSize !== undefined ? { pageSize: o.pageSize } : {}) })) {
      if (streamError !== undefined) break;
      pages++;
      builds += page.length;
      const chunk = page.map((d) => JSON.stringify(d)).join('\n') + '\n';
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
    }
  } finally {
    if (!owned) stream.off('error', onError);
    else if (!stream.destroyed) {
      const closed = once(stream, 'close').catch(() => undefined);
      stream.end();
      await closed;
    }
  }
  if (streamError !== undefined)
    throw new RightsizeError('RS_ERR_TRACE_READ', `cannot write ${name}: ${toError(streamError).message}`, { cause: streamError });
  return { builds, pages };
}
