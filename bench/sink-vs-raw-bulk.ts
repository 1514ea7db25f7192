/**
 * Bench (issue 2, b): the bulk sink's indexing rate vs raw `_bulk` requests of the same
 * documents, same batch size and same concurrency, against the same Elasticsearch, in one run.
 * Goal: sink/raw ≥ 0.8. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/sink-vs-raw-bulk.ts            # 200 000 docs
 *   BENCH_DOCS=50000 npx tsx bench/sink-vs-raw-bulk.ts
 *   BENCH_ORDER=raw,sink,sink,raw npx tsx bench/sink-vs-raw-bulk.ts   # rates over both runs per side
 *
 * Both sides pay for serialisation (JSON.stringify of each document) inside the timed span and
 * send `create` actions with the same deterministic `_id`s into a fresh prefix behind the same
 * templates (replicas 0). An untimed warm-up (5 000 raw docs) runs first; then the sides in
 * BENCH_ORDER (default: sink, then raw), each into its own fresh prefix. The sink is fed the
 * way collectors feed it: chunks of 1 000 samples, yielding to the event loop between chunks.
 * Each side is timed until every document is acknowledged; the count in each index is checked
 * afterwards.
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import type { Sample } from '../src/model/index.js';
import { ElasticsearchSink, createEsClient, deleteTemplates, installTemplates, routeSample, type SinkStats } from '../src/store/index.js';

const ES_URL = process.env['RIGHTSIZE_TEST_ES_URL'] ?? 'http://127.0.0.1:9200';
const N = Number(process.env['BENCH_DOCS'] ?? 200_000);
const FLUSH_BYTES = 5_000_000; // the config default
const CONCURRENCY = 2; // the config default
const CHUNK = 1000;
/** Which side runs when; `raw,sink,sink,raw` cancels drift (ES merging the previous run's segments, other load). */
const ORDER = process.env['BENCH_ORDER'] ?? 'sink,raw';

/** Realistic container samples: 400 containers on 20 agents, one sample each per 10 s. */
function generate(n: number): Sample[] {
  const out: Sample[] = [];
  const t0 = Date.UTC(2026, 10, 21, 0, 0);
  for (let i = 0; i < n; i++) {
    const c = i % 400;
    const round = Math.floor(i / 400);
    const agent = c % 20;
    const hex = (c * 2654435761).toString(16).padStart(12, '0').slice(-12);
    out.push({
      kind: 'container',
      doc: {
        '@timestamp': new Date(t0 + round * 10_000).toISOString(),
        event: { dataset: 'docker.container' },
        host: { name: `mesos-agent-${agent}.ci.example.com` },
        service: { address: `tcp://mesos-agent-${agent}.ci.example.com:2375` },
        container: {
          id: `${hex}${'0'.repeat(52)}`,
          name: `mesos-${hex}-7c1f-4b2a-9d1e-3f5a6b7c8d9e`,
          image: { name: 'registry.example.com/ci/jenkins-agent:jdk17' },
          labels: { 'com.example.team': `team-${c % 12}`, 'org.label-schema.version': '3.1.2' },
        },
        mesos: {
          agent: { id: `a1b2c3d4-0000-4000-8000-0000000000${String(agent).padStart(2, '0')}-S${agent}` },
          framework: { id: 'a1b2c3d4-0000-4000-8000-000000000000-0001' },
          task: { id: `jenkins-mesos-agent-${c}` },
        },
        jenkins: { node: { name: `mesos-agent-${c}` }, label: c % 3 === 0 ? 'linux-large' : 'linux', job: { name: `team-${c % 12}/service-${c % 37}/main` }, build: { number: 1000 + round } },
        cpu: { cores: Math.round(((i * 7919) % 4000) / 1000 * 1000) / 1000, limit_cores: 4, interval_ms: 10_000, throttled: { periods: i % 5, time_ms: (i % 5) * 13 } },
        memory: { working_set_bytes: 268_435_456 + ((i * 104_729) % 1_073_741_824), rss_bytes: 200_000_000 + (i % 1000) * 4096, limit_bytes: 4_294_967_296 },
        process: { count: 3 + (i % 9) },
      },
    });
  }
  return out;
}

/**
 * Raw `_bulk`: the same NDJSON lines, batches of the same size, the same concurrency, plain
 * fetch. Each worker builds its next body just before sending it, so serialisation overlaps
 * with Elasticsearch working on the other request (building everything up front first made
 * raw look slower than it is).
 */
async function runRaw(samples: readonly Sample[], prefix: string): Promise<{ ms: number; requests: number; errors: number }> {
  const t0 = performance.now();
  let pos = 0;
  const nextBody = (): string | undefined => {
    let body = '';
    while (pos < samples.length) {
      const s = samples[pos]!;
      const r = routeSample(s, prefix);
      if (!r.ok) throw new Error(r.reason);
      const line = `{"create":{"_index":${JSON.stringify(r.index)},"_id":"${r.id}"}}\n${JSON.stringify(s.doc)}\n`;
      if (body.length > 0 && body.length + line.length > FLUSH_BYTES) break;
      body += line;
      pos += 1;
    }
    return body.length > 0 ? body : undefined;
  };
  let requests = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    for (let b = nextBody(); b !== undefined; b = nextBody()) {
      requests += 1;
      const res = await fetch(`${ES_URL}/_bulk?filter_path=errors`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: b });
      const json = (await res.json()) as { errors?: boolean };
      if (!res.ok || json.errors !== false) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ms: performance.now() - t0, requests, errors };
}

/** The sink, fed like a collector feeds it: chunks, yielding to the event loop in between. */
async function runSink(client: Client, samples: readonly Sample[], prefix: string): Promise<{ ms: number; stats: SinkStats }> {
  const sink = new ElasticsearchSink({
    client,
    prefix,
    bulk: { flushBytes: FLUSH_BYTES, flushIntervalMs: 2000, concurrency: CONCURRENCY, retries: 5, retryBackoffMs: 500, bufferMaxDocs: 200_000 },
  });
  const t0 = performance.now();
  for (let i = 0; i < samples.length; i += CHUNK) {
    sink.write(samples.slice(i, i + CHUNK));
    await yieldLoop();
  }
  await sink.forceFlush(600_000);
  const ms = performance.now() - t0;
  await sink.shutdown();
  return { ms, stats: sink.stats() };
}

async function main(): Promise<void> {
  const client = createEsClient({ url: ES_URL, requestTimeoutMs: 120_000 });
  const base = `rs-bench-${randomBytes(3).toString('hex')}`;
  const order = ORDER.split(',').map((x) => x.trim());
  if (order.some((x) => x !== 'sink' && x !== 'raw')) throw new Error(`BENCH_ORDER must list sink/raw, got ${ORDER}`);
  const prefixes = [`${base}-warm`, ...order.map((side, i) => `${base}-${side}${i}`)];
  try {
    for (const prefix of prefixes) await installTemplates(client, { prefix, shards: 1, replicas: 0 });
    const samples = generate(N);
    console.log(`documents: ${N}, flushBytes: ${FLUSH_BYTES}, concurrency: ${CONCURRENCY}, order: ${order.join(',')}, Elasticsearch: ${ES_URL}`);
    // Untimed warm-up so neither side pays for a cold JVM/JIT.
    await runRaw(samples.slice(0, Math.min(5000, N)), prefixes[0]!);

    const totalMs = { sink: 0, raw: 0 };
    for (let i = 0; i < order.length; i++) {
      const side = order[i] as 'sink' | 'raw';
      const prefix = prefixes[i + 1]!;
      let line: string;
      let ms: number;
      if (side === 'sink') {
        const r = await runSink(client, samples, prefix);
        ms = r.ms;
        line = `indexed ${r.stats.indexed}, dropped ${r.stats.dropped}, failed requests ${r.stats.failedRequests}`;
      } else {
        const r = await runRaw(samples, prefix);
        ms = r.ms;
        line = `${r.requests} requests, ${r.errors} with errors`;
      }
      await client.indices.refresh({ index: `${prefix}-*` });
      const count = (await client.count({ index: `${prefix}-*` })).count;
      totalMs[side] += ms;
      console.log(`${side.padEnd(4)} run ${i + 1}: ${(N / (ms / 1000)).toFixed(0)} docs/s (${(ms / 1000).toFixed(2)} s, ${line}, ${count} docs in index)`);
    }
    const runs = (side: string): number => order.filter((x) => x === side).length;
    const sinkRate = (N * runs('sink')) / (totalMs.sink / 1000);
    const rawRate = (N * runs('raw')) / (totalMs.raw / 1000);
    console.log(`sink: ${sinkRate.toFixed(0)} docs/s, raw _bulk: ${rawRate.toFixed(0)} docs/s`);
    console.log(`ratio sink/raw: ${(sinkRate / rawRate).toFixed(3)} (goal >= 0.8)`);
  } finally {
    const rows = await client.cat.indices({ index: `${base}-*`, format: 'json', h: 'index' }).catch(() => []);
    const names = rows.map((r) => r.index!).filter(Boolean);
    if (names.length > 0) await client.indices.delete({ index: names });
    for (const prefix of prefixes) await deleteTemplates(client, prefix);
    await client.close();
  }
}

await main();
