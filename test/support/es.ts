import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import type { estypes } from '@elastic/elasticsearch';
import type { Sample } from '../../src/model/index.js';
import { idFor, indexFor } from '../../src/store/index.js';
import { REPO_ROOT, testEsUrl } from './env.js';

const run = promisify(execFile);

/** A client for the shared test Elasticsearch. */
export function testEsClient(url = testEsUrl()): Client {
  return new Client({ node: url, requestTimeout: 30_000 });
}

/** A prefix no other test run uses (indices and templates are deleted by `dropPrefix`). */
export function uniquePrefix(name: string): string {
  return `rs-it-${name}-${process.pid}-${Date.now().toString(36)}`;
}

/**
 * Writes samples straight into the indices and `_id`s the collector's sink would give them
 * (store routing: indexFor/idFor), with `create` and a refresh. Returns the bulk response for
 * the caller to check (`errors`).
 */
export async function bulkCreate(client: Client, prefix: string, samples: readonly Sample[]): Promise<estypes.BulkResponse> {
  const operations: unknown[] = [];
  for (const sample of samples) operations.push({ create: { _index: indexFor(sample, prefix), _id: idFor(sample) } }, sample.doc);
  return client.bulk({ operations, refresh: true });
}

/** Deletes every index and index template of a prefix. */
export async function dropPrefix(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true, expand_wildcards: ['open', 'closed'] }).catch(() => undefined);
  const templates = await client.indices.getIndexTemplate({ name: `${prefix}-*` }).catch(() => ({ index_templates: [] }));
  for (const t of templates.index_templates) await client.indices.deleteIndexTemplate({ name: t.name }).catch(() => undefined);
}

/**
 * Starts or stops a private Elasticsearch on its own port with scripts/es.sh (for fault tests
 * that must not disturb the shared one). Resolves when it is healthy / gone.
 */
export async function esScript(command: 'start' | 'stop', port: number): Promise<void> {
  await run('bash', ['scripts/es.sh', command], {
    cwd: REPO_ROOT,
    env: { ...process.env, RIGHTSIZE_ES_PORT: String(port), RIGHTSIZE_ES_HEAP: '512m' },
    timeout: 240_000,
  });
}
