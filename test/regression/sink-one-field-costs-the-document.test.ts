import { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/model/index.js';
import { ElasticsearchSink, idFor } from '../../src/store/index.js';
import { FakeEs } from '../unit/store/fakeEs.js';

// Issue 14 item 7, last line: an absurd number (2^70 bytes, 2^63 processes, NaN cores) made
// Elasticsearch reject the whole document (mapper_parsing_exception on a `long`), or reached it
// as `null`. The sink now removes just those fields, counts them, and indexes the rest.
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('regression: one numeric field never costs the document', () => {
  it('removes out-of-range and non-finite numbers, counts them, indexes everything else', async () => {
    const fake = new FakeEs();
    const port = await fake.listen(0);
    const client = new Client({ node: `http://127.0.0.1:${port}` });
    const sink = new ElasticsearchSink({ client, prefix: 'rs', bulk: { flushBytes: 1_000_000, flushIntervalMs: 20, concurrency: 1, retries: 1, retryBackoffMs: 10, bufferMaxDocs: 100 } });
    closers.push(() => fake.close(), () => client.close(), () => sink.shutdown());
    const sample: Sample = {
      kind: 'container',
      doc: {
        '@timestamp': '2026-11-22T03:00:00.000Z',
        event: { dataset: 'docker.container' },
        container: { id: 'c1', name: 'n' },
        cpu: { cores: Number.NaN, limit_cores: 2, interval_ms: 10_000 },
        memory: { working_set_bytes: 2 ** 70, limit_bytes: 1_073_741_824 },
        process: { count: 2 ** 63 },
      },
    };
    sink.write([sample]);
    await sink.forceFlush(5_000);
    const stored = fake.docs.get(`rs-containers-2026.11.22/${idFor(sample)}`);
    expect(stored).toBeDefined();
    expect(stored).toMatchObject({ container: { id: 'c1' }, cpu: { limit_cores: 2, interval_ms: 10_000 }, memory: { limit_bytes: 1_073_741_824 } });
    expect(stored!['cpu']).not.toHaveProperty('cores');
    expect(stored!['memory']).not.toHaveProperty('working_set_bytes');
    expect(stored!['process']).not.toHaveProperty('count');
    expect(sink.stats()).toMatchObject({ indexed: 1, dropped: 0, removedFields: 3 });
    // The caller's sample is not modified.
    expect((sample.doc as { memory: { working_set_bytes: number } }).memory.working_set_bytes).toBe(2 ** 70);
  });
});
