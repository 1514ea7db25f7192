import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { FinishedBuildInfo } from '../../src/analysis/builds/index.js';
import { buildSummaryJob } from '../../src/cli/commands/collect.js';
import { BuildSummarizer, PendingBuildsFile } from '../../src/collect/index.js';
import { validateConfig } from '../../src/config/index.js';
import type { BuildDoc, BuildUsageAggregation } from '../../src/model/index.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { InMemorySampleSink } from '../../src/store/index.js';
import { searchBuildUsage } from '../../src/store/queries/index.js';
import { silentLogger } from '../../src/util/index.js';
import { freePort } from '../unit/store/fakeEs.js';

// Issue 14 item 1: build summaries were dropped for good when Elasticsearch was down or slow:
// - a refused connection read as RS_ERR_STORE_REJECTED, which the summarizer does not retry;
// - the summary task aborted each search after 5 s while the client waits 30 s, so with every
//   search taking 6 s no build was ever written;
// - a stop (graceful or SIGKILL) lost the pending builds, and the backfill after a restart
//   lacked their Mesos request.
const dir = mkdtempSync(join(tmpdir(), 'rs-pending-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const endMs = Date.now() - 120_000;
const build = (n: number, node = `agent-${n}`): FinishedBuildInfo => ({ jobName: 'app/main', number: n, result: 'SUCCESS', builtOn: node, startMs: endMs - 60_000, durationMs: 60_000, endMs });
const noUsage: BuildUsageAggregation = { datasets: [], nodeBuilds: [] };
const docsOf = (sink: InMemorySampleSink): BuildDoc[] => sink.samples.filter((s) => s.kind === 'build').map((s) => s.doc);

describe('regression: build summaries survive an unreachable, slow or restarted store', () => {
  it('a refused connection keeps the build pending for a retry instead of dropping it', async () => {
    const client = new Client({ node: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
    closers.push(() => client.close());
    const sink = new InMemorySampleSink();
    const s = new BuildSummarizer({ search: (q, signal) => searchBuildUsage(client, q, signal), sink, prefix: 'rs', graceMs: 0, pollIntervalMs: 10_000 });
    s.enqueue([build(1)]);
    await s.runDue(AbortSignal.timeout(10_000));
    expect(s.stats()).toMatchObject({ pending: 1, retries: 1, droppedRejected: 0, written: 0 });
  });

  it('a store answering each search in 6 s still gets the builds written by the scheduled job', async () => {
    const server: Server = createServer((req, res) => {
      req.resume();
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
        res.end(JSON.stringify({ took: 6000, timed_out: false, hits: { total: { value: 0, relation: 'eq' }, hits: [] } }));
      }, 6_000);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
    const config = validateConfig({ elasticsearch: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } });
    const client = new Client({ node: config.elasticsearch.url, requestTimeout: config.elasticsearch.requestTimeoutMs, maxRetries: 0 });
    closers.push(() => client.close());
    const sink = new InMemorySampleSink();
    const s = new BuildSummarizer({ search: (q, signal) => searchBuildUsage(client, q, signal), sink, prefix: 'rs', graceMs: 0, pollIntervalMs: 10_000 });
    const scheduler = new Scheduler({ logger: silentLogger() });
    closers.push(() => scheduler.stop());
    scheduler.add(buildSummaryJob(s, config));
    s.enqueue([build(1), build(2)]);
    await scheduler.runNow('build-summary');
    expect(scheduler.stats()[0]).toMatchObject({ failedRuns: 0 });
    expect(s.stats()).toMatchObject({ written: 2, pending: 0, retries: 0 });
  });

  it('pending builds and their requests outlive the process (stop or SIGKILL) and are summarized after a restart', async () => {
    const file = new PendingBuildsFile(join(dir, 'pending-builds.json'));
    const tasks = new Map([['agent-7', { request: { cpus: 2, memBytes: 2 ** 31 } }]]);
    const down = (): Promise<BuildUsageAggregation> => Promise.reject(new Error('no store'));
    const first = new BuildSummarizer({ search: down, sink: new InMemorySampleSink(), prefix: 'rs', graceMs: 0, pollIntervalMs: 10_000, tasks: () => tasks, state: file });
    first.enqueue([build(7, 'agent-7'), build(8)]);
    await first.flushState(); // what a SIGKILL right after the Jenkins poll leaves: no shutdown()
    // The task is gone from the master by the time the next process starts.
    const sink = new InMemorySampleSink();
    const second = new BuildSummarizer({ search: () => Promise.resolve(noUsage), sink, prefix: 'rs', graceMs: 0, pollIntervalMs: 10_000, tasks: () => new Map(), state: file });
    expect(await second.resume()).toBe(2);
    await second.runDue(AbortSignal.timeout(10_000));
    const docs = docsOf(sink);
    expect(docs.map((d) => d.jenkins.build.number).sort()).toEqual([7, 8]);
    expect(docs.find((d) => d.jenkins.build.number === 7)?.request).toEqual({ cpu_cores: 2, memory_bytes: 2 ** 31 });
    expect(second.stats()).toMatchObject({ resumed: 2, written: 2, pending: 0 });
    // A graceful stop keeps what is still pending, too.
    second.enqueue([build(9)]);
    await second.shutdown();
    const third = new BuildSummarizer({ search: () => Promise.resolve(noUsage), sink, prefix: 'rs', graceMs: 0, pollIntervalMs: 10_000, state: file });
    expect(await third.resume()).toBe(1);
  });
});
