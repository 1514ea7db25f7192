import { describe, expect, it } from 'vitest';
import type { FinishedBuildInfo } from '../../../src/analysis/builds/index.js';
import { BuildSummarizer } from '../../../src/collect/index.js';
import { StoreError } from '../../../src/errors/index.js';
import type { BuildDoc } from '../../../src/model/index.js';
import { InMemorySampleSink } from '../../../src/store/index.js';
import type { BuildUsageAggregation, BuildUsageQuery } from '../../../src/store/queries/index.js';
import { ManualClock } from '../../../src/util/index.js';

const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 10, 22, 4, 0, 0);

function finished(n: number, node = `node-${n}`, endMs = T0): FinishedBuildInfo {
  return { jobName: 'job', number: n, result: 'SUCCESS', builtOn: node, startMs: endMs - 60_000, durationMs: 60_000, endMs };
}

const oneDataset: BuildUsageAggregation = {
  datasets: [
    {
      dataset: 'docker.container',
      samples: 6,
      cpuSamples: 5,
      coresAvg: 0.5,
      coresMax: 0.5,
      coresP50: 0.5,
      coresP95: 0.5,
      coreSecondsSum: 25,
      coreSecondsSamples: 5,
      intervalMsSum: 50_000,
      workingSetAvgBytes: 100 * MiB,
      workingSetMaxBytes: 120 * MiB,
      containers: [],
    },
  ],
  nodeBuilds: [],
};

class FakeSearch {
  readonly queries: BuildUsageQuery[] = [];
  failWith: Error | undefined;
  readonly run = (q: BuildUsageQuery): Promise<BuildUsageAggregation> => {
    this.queries.push(q);
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve(oneDataset);
  };
}

type Tasks = Map<string, { request: { cpus?: number; memBytes?: number } }>;
function setup(over: { maxPending?: number; tasks?: Tasks; completedTasks?: Tasks } = {}) {
  const clock = new ManualClock(T0);
  const sink = new InMemorySampleSink();
  const search = new FakeSearch();
  let tasks = over.tasks;
  let completed = over.completedTasks;
  const s = new BuildSummarizer({
    search: search.run,
    sink,
    prefix: 'rs',
    graceMs: 20_000,
    pollIntervalMs: 10_000,
    clock,
    retryBaseMs: 5_000,
    random: () => 1, // the full backoff step: no jitter
    retryMaxMs: 40_000,
    maxRetryAgeMs: 600_000,
    ...(over.maxPending !== undefined ? { maxPending: over.maxPending } : {}),
    tasks: () => tasks,
    completedTasks: () => completed,
  });
  const docs = () => sink.samples.map((x) => x.doc as BuildDoc);
  return { clock, sink, search, s, docs, setTasks: (t: typeof tasks) => (tasks = t), setCompleted: (t: typeof completed) => (completed = t) };
}

const signal = () => new AbortController().signal;

describe('BuildSummarizer', () => {
  it('waits the grace period after the build’s end, then writes one builds document with the remembered task request', async () => {
    const { clock, search, s, docs, setTasks } = setup();
    // The master saw the task while the build ran; by the summary it has ended (single-use agent).
    setTasks(new Map([['node-1', { request: { cpus: 2, memBytes: 2048.2 * MiB } }]]));
    s.observeTasks();
    setTasks(new Map());
    s.enqueue([finished(1)]);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(0);
    clock.advance(19_999);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(0);
    clock.advance(1);
    await s.runDue(signal());
    expect(search.queries).toEqual([{ prefix: 'rs', jobName: 'job', buildNumber: 1, nodeName: 'node-1', startMs: T0 - 60_000, endMs: T0, afterEndMs: 10_000 }]);
    expect(docs()).toHaveLength(1);
    expect(docs()[0]!.request).toEqual({ cpu_cores: 2, memory_bytes: Math.round(2048.2 * MiB) });
    expect(docs()[0]!.usage?.cpu?.avg_cores).toBe(0.5);
    expect(s.stats()).toMatchObject({ received: 1, pending: 0, written: 1, withoutRequest: 0, withoutSamples: 0 });
    // Done builds are not summarized again.
    clock.advance(60_000);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(1);
  });

  it('a build shorter than the master poll gets its request from the master\'s completed tasks; an active task\'s request wins', async () => {
    const { clock, s, docs, setCompleted, setTasks } = setup();
    setTasks(new Map([['node-2', { request: { cpus: 1, memBytes: 512 * MiB } }]]));
    setCompleted(
      new Map([
        ['node-1', { request: { cpus: 0.5, memBytes: 256 * MiB } }],
        ['node-2', { request: { cpus: 9, memBytes: 9 * MiB } }],
      ]),
    );
    s.enqueue([finished(1), finished(2), finished(3)]);
    clock.advance(20_000);
    await s.runDue(signal());
    const byNumber = new Map(docs().map((d) => [d.jenkins.build.number, d.request]));
    expect(byNumber.get(1)).toEqual({ cpu_cores: 0.5, memory_bytes: 256 * MiB });
    expect(byNumber.get(2)).toEqual({ cpu_cores: 1, memory_bytes: 512 * MiB });
    expect(byNumber.get(3)).toBeUndefined();
    expect(s.stats()).toMatchObject({ written: 3, withoutRequest: 1 });
  });

  it('a build reported long after its end is due at once; a repeat of a pending build is ignored', async () => {
    const { s, search } = setup();
    s.enqueue([finished(1, 'n', T0 - 3_600_000)]);
    s.enqueue([finished(1, 'n', T0 - 3_600_000)]);
    expect(s.stats().received).toBe(1);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(1);
    expect(s.stats()).toMatchObject({ written: 1, withoutRequest: 1 });
  });

  it('retries with exponential backoff while Elasticsearch is unreachable, then writes', async () => {
    const { clock, s, search, docs } = setup();
    search.failWith = new StoreError('RS_ERR_STORE_UNAVAILABLE', 'connection refused');
    s.enqueue([finished(1, 'n', T0 - 20_000)]);
    await s.runDue(signal()); // attempt 1 fails → retry in 5 s
    clock.advance(4_999);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(1);
    clock.advance(1);
    await s.runDue(signal()); // attempt 2 fails → retry in 10 s
    expect(search.queries).toHaveLength(2);
    clock.advance(9_999);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(2);
    search.failWith = undefined;
    clock.advance(1);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(3);
    expect(docs()).toHaveLength(1);
    expect(s.stats()).toMatchObject({ retries: 2, written: 1, pending: 0 });
  });

  it('drops (and counts) a build still failing after maxRetryAgeMs, and one whose search is rejected', async () => {
    const { clock, s, search } = setup();
    search.failWith = new StoreError('RS_ERR_STORE_UNAVAILABLE', 'down');
    s.enqueue([finished(1, 'n', T0 - 20_000)]);
    for (let i = 0; i < 40 && s.stats().pending > 0; i++) {
      await s.runDue(signal());
      clock.advance(40_000);
    }
    expect(s.stats()).toMatchObject({ pending: 0, droppedExpired: 1, written: 0 });
    search.failWith = new StoreError('RS_ERR_STORE_REJECTED', 'bad request');
    s.enqueue([finished(2, 'n', clock.nowMs() - 20_000)]);
    await s.runDue(signal());
    expect(s.stats()).toMatchObject({ pending: 0, droppedRejected: 1 });
  });

  it('bounds the queue: beyond maxPending the oldest builds are dropped and counted', async () => {
    const { s, search } = setup({ maxPending: 2 });
    s.enqueue([finished(1), finished(2), finished(3)]);
    expect(s.stats()).toMatchObject({ received: 3, pending: 2, droppedOverflow: 1 });
    // Nothing is due yet (grace period): no search.
    await s.runDue(signal());
    expect(search.queries).toHaveLength(0);
  });

  it('marks builds that overlapped on one node as shared, from what Jenkins reported', async () => {
    const { clock, s, docs } = setup();
    const a: FinishedBuildInfo = { jobName: 'a', number: 1, result: 'SUCCESS', builtOn: 'multi', startMs: T0 - 60_000, durationMs: 60_000, endMs: T0 };
    const b: FinishedBuildInfo = { jobName: 'b', number: 1, result: 'SUCCESS', builtOn: 'multi', startMs: T0 - 30_000, durationMs: 35_000, endMs: T0 + 5_000 };
    const c: FinishedBuildInfo = { jobName: 'c', number: 1, result: 'SUCCESS', builtOn: 'other', startMs: T0 - 30_000, durationMs: 35_000, endMs: T0 + 5_000 };
    s.enqueue([a]);
    clock.advance(5_000);
    s.enqueue([b, c]);
    clock.advance(60_000);
    await s.runDue(signal());
    const shared = Object.fromEntries(docs().map((d) => [d.jenkins.job.name, d.usage?.shared_agent]));
    expect(shared).toEqual({ a: true, b: true, c: false });
  });

  it('an aborted run stops taking builds; the rest stay pending', async () => {
    const { s, search } = setup();
    s.enqueue([finished(1, 'a', T0 - 60_000), finished(2, 'b', T0 - 60_000)]);
    const ac = new AbortController();
    ac.abort();
    await s.runDue(ac.signal);
    expect(search.queries).toHaveLength(0);
    expect(s.stats().pending).toBe(2);
  });

  it('after an outage, waits until the sink has settled the build\'s readings and the index refreshed', async () => {
    const clock = new ManualClock(T0);
    const sink = new InMemorySampleSink();
    const search = new FakeSearch();
    let settled = T0 - 200_000; // the sink is stuck on a reading written long ago (Elasticsearch away)
    const s = new BuildSummarizer({ search: search.run, sink, prefix: 'rs', graceMs: 0, pollIntervalMs: 10_000, refreshMs: 5_000, settledBeforeMs: () => settled, clock });
    clock.advance(60_000);
    s.enqueue([finished(1, 'n', T0 + 30_000)]);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(0);
    settled = clock.nowMs(); // the backlog is in
    await s.runDue(signal());
    expect(search.queries).toHaveLength(0); // not refreshed yet
    clock.advance(5_000);
    await s.runDue(signal());
    expect(search.queries).toHaveLength(1);
    expect(s.stats()).toMatchObject({ written: 1, pending: 0 });
  });

  it('keeps a summarized build in its state until the sink settled the document', async () => {
    const clock = new ManualClock(T0);
    const saved: number[][] = [];
    const state = { load: () => Promise.resolve([]), save: (r: readonly { build: FinishedBuildInfo }[]) => (saved.push(r.map((x) => x.build.number)), Promise.resolve()) };
    let settled = T0;
    const s = new BuildSummarizer({ search: new FakeSearch().run, sink: new InMemorySampleSink(), prefix: 'rs', graceMs: 0, pollIntervalMs: 1_000, refreshMs: 0, settledBeforeMs: () => settled, clock, state });
    s.enqueue([finished(1, 'n', T0 - 10_000)]);
    await s.runDue(signal());
    await s.flushState();
    expect(s.stats().written).toBe(1);
    expect(saved.at(-1)).toEqual([1]); // written to the sink, not yet indexed
    clock.advance(1_000);
    settled = clock.nowMs();
    await s.runDue(signal());
    await s.flushState();
    expect(saved.at(-1)).toEqual([]);
  });

  it('a search cut short by the caller leaves the build pending without counting a retry', async () => {
    const { s, search } = setup();
    const ac = new AbortController();
    search.failWith = new StoreError('RS_ERR_STORE_TIMEOUT', 'aborted');
    s.enqueue([finished(1, 'n', T0 - 60_000)]);
    const run = s.runDue(ac.signal);
    ac.abort();
    await run;
    expect(s.stats()).toMatchObject({ pending: 1, retries: 0 });
  });
});
