/**
 * Fault case 5, Jenkins: the queue, queue item, computer, job tree and build parsers, and the
 * `jenkins.queue` documents built from them, fed random, mutated, truncated and hostile bodies.
 * The valid bodies are the real captures in ../shared/real-captures/jenkins (read here, never
 * copied) and a few synthetic ones for the shapes no capture holds (a folder tree, a job with
 * complete builds).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MIN_PLAUSIBLE_EPOCH_MS, parseBuilds, parseComputers, parseJobTree, parseQueue, parseQueueItem, queueDocs, type ComputerInfo } from '../../../src/collectors/jenkins/index.js';
import { decodeBody, expectSaneNumbers, fuzz, FUZZ_SEED, hostileJson, hostileValue, mutatedOneOf, plainData, realCaptures, runsDone, truncatedBytes } from './support.js';

const NOW = Date.parse('2026-11-22T03:00:00Z');
const TARGET = 'jenkins';
const shared = realCaptures('jenkins');
const byPrefix = (prefix: string): unknown[] => shared.filter((c) => c.name.startsWith(prefix)).map((c) => c.body);

const SYNTHETIC_QUEUE = {
  items: [
    { id: 41, inQueueSince: NOW - 90_000, blocked: false, buildable: true, stuck: false, why: 'Waiting for next available executor on ‘docker’', task: { name: 'deploy', url: 'https://ci/job/team/job/deploy/' } },
    { id: 42, inQueueSince: NOW - 1_000, blocked: true, buildable: false, stuck: false, task: { name: 'lint', url: 'https://ci/job/lint/', labelExpression: 'small' } },
  ],
};
const SYNTHETIC_COMPUTERS = {
  totalExecutors: 4,
  busyExecutors: 1,
  computer: [
    { displayName: 'agent-1', numExecutors: 2, offline: false, idle: false, assignedLabels: [{ name: 'docker' }, { name: 'agent-1' }], executors: [{ idle: false, currentExecutable: { number: 7, url: 'https://ci/job/team/job/deploy/7/' } }, { idle: true }] },
    { displayName: 'agent-2', numExecutors: 2, offline: true, assignedLabels: [{ name: 'small' }], executors: [{}, {}] },
  ],
};
const SYNTHETIC_TREE = {
  jobs: [
    { _class: 'hudson.model.FreeStyleProject', name: 'lint', url: 'https://ci/job/lint/', lastCompletedBuild: { number: 12 }, lastBuild: { number: 13 } },
    { _class: 'com.cloudbees.hudson.plugins.folder.Folder', name: 'team', jobs: [{ name: 'deploy', url: 'https://ci/job/team/job/deploy/', lastCompletedBuild: { number: 6 }, lastBuild: null }] },
    { _class: 'jenkins.branch.OrganizationFolder', name: 'org' },
  ],
};
const BUILD = {
  number: 6,
  url: 'https://ci/job/team/job/deploy/6/',
  building: false,
  result: 'SUCCESS',
  timestamp: NOW - 600_000,
  duration: 123_456,
  builtOn: 'agent-1',
  queueId: 41,
  actions: [{ _class: 'jenkins.metrics.impl.TimeInQueueAction', blockedDurationMillis: 0, buildableDurationMillis: 1200, waitingDurationMillis: 5, queuingDurationMillis: 1205 }],
};
const SYNTHETIC_JOB = { name: 'deploy', builds: [BUILD, { ...BUILD, number: 7, building: true, result: null }] };

const QUEUES = [SYNTHETIC_QUEUE, ...byPrefix('queue_cdancy'), ...byPrefix('queue_nestor'), ...byPrefix('queue_ujenkins')];
const QUEUE_ITEMS = [SYNTHETIC_QUEUE.items[0], ...byPrefix('queue_item_')];
const COMPUTERS = [SYNTHETIC_COMPUTERS, ...byPrefix('computer_')];
const TREES = [SYNTHETIC_TREE];
const BUILDS = [SYNTHETIC_JOB, BUILD, ...byPrefix('build_'), ...byPrefix('job_'), { builds: byPrefix('build_') }];

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isNumber = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** Every error a parser returns is data with a stable code. */
function checkErrors(errors: ReadonlyArray<{ readonly code: string }>): void {
  for (const e of errors) expect(['RS_ERR_PARSE_SHAPE', 'RS_ERR_PARSE_RANGE']).toContain(e.code);
}

function checkComputers(c: ComputerInfo): void {
  expectSaneNumbers(c);
  for (const v of Object.values(c.executors)) expect(isCount(v)).toBe(true);
  for (const n of c.nodes) {
    if (n.numExecutors !== undefined) expect(isCount(n.numExecutors)).toBe(true);
    if (n.busyExecutors !== undefined) expect(isCount(n.busyExecutors)).toBe(true);
  }
  for (const r of c.running) expect(isNumber(r.number)).toBe(true);
}

describe('jenkins parsers under fuzz (fault case 5)', () => {
  afterAll(() => {
    process.stdout.write(`[fuzz jenkins] seed ${FUZZ_SEED}, ${runsDone.count} runs, ${shared.length} real captures read\n`);
  });

  it('hostile JSON into every parser: no throw, errors as data', () => {
    fuzz(
      fc.property(hostileJson, (body) => {
        checkErrors(parseQueue(body, { target: TARGET, nowMs: NOW }).errors);
        checkErrors(parseQueueItem(body, { target: TARGET, nowMs: NOW }).errors);
        checkErrors(parseComputers(body, { target: TARGET }).errors);
        checkErrors(parseJobTree(body, { target: TARGET, maxDepth: 3 }).errors);
        checkErrors(parseBuilds(body, { target: TARGET, nowMs: NOW }).errors);
        checkErrors(parseBuilds(body, { target: TARGET, nowMs: NOW, jobName: 'j' }).errors);
      }),
      400,
    );
  });

  it('mutated queue + computers → jenkins.queue documents with finite, non-negative, whole counts and waits; ids are whole', () => {
    fuzz(
      fc.property(mutatedOneOf(QUEUES), mutatedOneOf(COMPUTERS), fc.boolean(), (q, c, withComputers) => {
        const items = parseQueue(q, { target: TARGET, nowMs: NOW });
        const computers = parseComputers(c, { target: TARGET });
        checkErrors(items.errors);
        checkErrors(computers.errors);
        checkComputers(computers.value);
        for (const it of items.value) {
          if (it.id !== undefined) expect(isCount(it.id)).toBe(true);
          if (it.sinceMs !== undefined) expect(Number.isSafeInteger(it.sinceMs) && it.sinceMs >= MIN_PLAUSIBLE_EPOCH_MS).toBe(true);
          if (it.waitMs !== undefined) expect(isCount(it.waitMs)).toBe(true);
        }
        for (const doc of queueDocs(items.value, { nowMs: NOW, jenkinsUrl: 'https://ci/', ...(withComputers ? { computers: computers.value } : {}) })) {
          expectSaneNumbers(doc);
          expect(plainData(doc)).toBe(true);
          for (const v of Object.values(doc.executors ?? {})) expect(isCount(v)).toBe(true);
        }
      }),
      400,
    );
  });

  it('queue ids of any value → an item id that is a whole number ≥ 0, or none', () => {
    fuzz(
      fc.property(fc.constantFrom(...QUEUE_ITEMS), fc.oneof(hostileValue, fc.double()), (base, id) => {
        const body = { ...(base as object), id };
        const detail = parseQueueItem(body, { target: TARGET, nowMs: NOW }).value;
        const listed = parseQueue({ items: [body] }, { target: TARGET, nowMs: NOW }).value;
        for (const it of [detail?.item, ...listed]) if (it?.id !== undefined) expect(isCount(it.id)).toBe(true);
      }),
      300,
    );
  });

  it('mutated queue items (left, blocked, cancelled) → whole ids, a positive whole executable number', () => {
    fuzz(
      fc.property(mutatedOneOf(QUEUE_ITEMS, 5), (body) => {
        const r = parseQueueItem(body, { target: TARGET, nowMs: NOW });
        checkErrors(r.errors);
        if (r.value === undefined) return;
        if (r.value.item.id !== undefined) expect(isCount(r.value.item.id)).toBe(true);
        if (r.value.item.waitMs !== undefined) expect(isCount(r.value.item.waitMs)).toBe(true);
        if (r.value.executable !== undefined) expect(isNumber(r.value.executable.number)).toBe(true);
      }),
      300,
    );
  });

  it('mutated computers → whole executor counts, positive whole running build numbers', () => {
    fuzz(
      fc.property(mutatedOneOf(COMPUTERS, 6), (body) => {
        const r = parseComputers(body, { target: TARGET });
        checkErrors(r.errors);
        checkComputers(r.value);
      }),
      300,
    );
  });

  it('mutated job trees → named jobs, last build numbers positive whole numbers, folders within the depth cap', () => {
    fuzz(
      fc.property(mutatedOneOf(TREES, 5), fc.integer({ min: 0, max: 3 }), (body, maxDepth) => {
        const r = parseJobTree(body, { target: TARGET, maxDepth });
        checkErrors(r.errors);
        for (const j of r.value.jobs) {
          expect(j.fullName.length).toBeGreaterThan(0);
          expect(j.fullName).toBe(j.path.join('/'));
          if (j.lastCompletedNumber !== undefined) expect(isNumber(j.lastCompletedNumber)).toBe(true);
          if (j.lastNumber !== undefined) expect(isNumber(j.lastNumber)).toBe(true);
        }
        for (const f of r.value.unexpandedFolders) expect(f.depth).toBeLessThanOrEqual(maxDepth);
      }),
      300,
    );
  });

  it('last build numbers of any value → a positive whole number, or none', () => {
    fuzz(
      fc.property(fc.oneof(hostileValue, fc.double()), fc.constantFrom('lastCompletedBuild', 'lastBuild'), (n, key) => {
        const r = parseJobTree({ jobs: [{ name: 'j', [key]: { number: n } }] }, { target: TARGET, maxDepth: 1 });
        for (const j of r.value.jobs) for (const v of [j.lastCompletedNumber, j.lastNumber]) if (v !== undefined) expect(isNumber(v)).toBe(true);
      }),
      300,
    );
  });

  it('mutated builds → finished builds with positive whole numbers, whole queue ids, plausible whole instants and durations', () => {
    fuzz(
      fc.property(mutatedOneOf(BUILDS, 5), fc.boolean(), (body, withJob) => {
        const r = parseBuilds(body, { target: TARGET, nowMs: NOW, jenkinsUrl: 'https://ci/', ...(withJob ? { jobName: 'team/deploy' } : {}) });
        checkErrors(r.errors);
        for (const n of r.value.building) expect(isNumber(n)).toBe(true);
        for (const b of r.value.finished) {
          expectSaneNumbers(b);
          expect(plainData(b)).toBe(true);
          expect(isNumber(b.number)).toBe(true);
          expect(b.jobName.length).toBeGreaterThan(0);
          if (b.queueId !== undefined) expect(isCount(b.queueId)).toBe(true);
          expect(Number.isSafeInteger(b.startMs) && b.startMs >= MIN_PLAUSIBLE_EPOCH_MS).toBe(true);
          expect(isCount(b.durationMs)).toBe(true);
          expect(b.endMs).toBe(b.startMs + b.durationMs);
          expect(Number.isSafeInteger(b.endMs)).toBe(true);
          if (b.queue?.waitMs !== undefined) expect(isCount(b.queue.waitMs)).toBe(true);
          if (b.queue?.buildableMs !== undefined) expect(isCount(b.queue.buildableMs)).toBe(true);
        }
      }),
      400,
    );
  });

  it('queueId of any value → a whole number ≥ 0, or none', () => {
    fuzz(
      fc.property(fc.oneof(hostileValue, fc.double()), (queueId) => {
        const r = parseBuilds({ ...BUILD, queueId }, { target: TARGET, nowMs: NOW, jobName: 'j' });
        expect(r.value.finished.length).toBe(1);
        const q = r.value.finished[0]!.queueId;
        if (q !== undefined) expect(isCount(q)).toBe(true);
      }),
      300,
    );
  });

  it('truncated byte prefixes of valid bodies: no throw, and a prefix that still parses gives sane figures', () => {
    const bodies = [...QUEUES, ...QUEUE_ITEMS, ...COMPUTERS, ...TREES, ...BUILDS].map((b) => JSON.stringify(b));
    fuzz(
      fc.property(fc.oneof(...bodies.map(truncatedBytes)), (bytes) => {
        const d = decodeBody(bytes);
        if (!d.json) return;
        for (const doc of queueDocs(parseQueue(d.value, { target: TARGET, nowMs: NOW }).value, { nowMs: NOW })) expectSaneNumbers(doc);
        checkComputers(parseComputers(d.value, { target: TARGET }).value);
        parseJobTree(d.value, { target: TARGET, maxDepth: 2 });
        for (const b of parseBuilds(d.value, { target: TARGET, nowMs: NOW, jobName: 'j' }).value.finished) expectSaneNumbers(b);
      }),
      300,
    );
  });
});
