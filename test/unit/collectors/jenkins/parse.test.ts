import { describe, expect, it } from 'vitest';
import {
  jobFromUrl,
  labelFromWhy,
  nearestRank,
  parseBuilds,
  parseComputers,
  parseJobTree,
  parseQueue,
  queueDocs,
} from '../../../../src/collectors/jenkins/index.js';

const T = 'jenkins-test';
const NOW = Date.parse('2026-11-22T03:00:00Z');

describe('labelFromWhy', () => {
  it.each([
    ['Waiting for next available executor on ‘docker-2cpu’', 'docker-2cpu'],
    ["Waiting for next available executor on 'maven'", 'maven'],
    ['Waiting for next available executor on x86', 'x86'],
    ['Still waiting to schedule task\nWaiting for next available executor on ‘linux && docker’', 'linux && docker'],
    ['There are no nodes with the label ‘gpu’', 'gpu'],
    ['All nodes of label ‘mesos-small’ are offline', 'mesos-small'],
    ['‘Jenkins’ doesn’t have label ‘arm64’', 'arm64'],
  ])('%s → %s', (why, label) => {
    expect(labelFromWhy(why)).toBe(label);
  });
  it('no label in other reasons', () => {
    expect(labelFromWhy('Waiting for next available executor')).toBeUndefined();
    expect(labelFromWhy('Build #8 is already in progress (ETA: 1 min 33 sec)')).toBeUndefined();
    expect(labelFromWhy(undefined)).toBeUndefined();
  });
});

describe('jobFromUrl', () => {
  it('folders, context path, encoded names, build number', () => {
    expect(jobFromUrl('http://ci:8080/job/a/job/b/17/')).toEqual({ jobName: 'a/b', number: 17 });
    expect(jobFromUrl('https://h/jenkins/job/my%20job/3/')).toEqual({ jobName: 'my job', number: 3 });
    // multibranch branch "feature/x" is the job name "feature%2Fx", double-encoded in URLs
    expect(jobFromUrl('http://ci/job/repo/job/feature%252Fx/5/')).toEqual({ jobName: 'repo/feature%2Fx', number: 5 });
    expect(jobFromUrl('http://ci/job/solo/')).toEqual({ jobName: 'solo' });
    expect(jobFromUrl('job/rel/9/')).toEqual({ jobName: 'rel', number: 9 });
    expect(jobFromUrl('http://ci/computer/x/')).toBeUndefined();
    expect(jobFromUrl('http://ci/job/%E0%A4%A/1/')).toBeUndefined();
  });
});

describe('nearestRank', () => {
  it('worked examples', () => {
    expect(nearestRank([10, 20, 30, 40], 50)).toBe(20);
    expect(nearestRank([10, 20, 30, 40], 95)).toBe(40);
    expect(nearestRank([7], 50)).toBe(7);
    expect(nearestRank([], 50)).toBeUndefined();
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95)).toBe(19);
  });
});

describe('parseQueue + queueDocs: labels, executors, bad input', () => {
  const computers = parseComputers(
    {
      totalExecutors: 4,
      busyExecutors: 3,
      computer: [
        { displayName: 'a1', offline: false, numExecutors: 2, assignedLabels: [{ name: 'a1' }, { name: 'docker' }], executors: [{ idle: false, currentExecutable: { number: 5, url: 'http://ci/job/f/job/j/5/' } }, { idle: true, currentExecutable: null }] },
        { displayName: 'a2', offline: false, numExecutors: 2, assignedLabels: [{ name: 'docker' }], executors: [{ idle: false, currentExecutable: { number: 6, url: 'http://ci/job/j2/6/' } }, { idle: false, currentExecutable: { number: 1, url: 'http://ci/job/j3/1/' } }] },
        { displayName: 'gone', offline: true, numExecutors: 8, assignedLabels: [{ name: 'docker' }], executors: [] },
      ],
    },
    { target: T },
  );

  it('per-label documents with the label’s online executors', () => {
    const q = parseQueue(
      {
        items: [
          { id: 1, inQueueSince: NOW - 1000, buildable: true, why: 'Waiting for next available executor on ‘docker’', task: { name: 'j', url: 'http://ci/job/f/job/j/' } },
          { id: 2, inQueueSince: NOW - 9000, buildable: true, stuck: true, why: 'Waiting for next available executor on ‘docker’', task: { name: 'k' } },
          { id: 3, inQueueSince: NOW - 5000, blocked: true, why: 'Build #3 is already in progress', task: { name: 'm' } },
          { id: 4, inQueueSince: NOW - 2000, buildable: true, why: 'There are no nodes with the label ‘gpu’', task: { name: 'g', labelExpression: 'gpu' } },
        ],
      },
      { target: T, nowMs: NOW },
    );
    expect(q.errors).toEqual([]);
    expect(q.value[0]!.jobName).toBe('f/j');
    const docs = queueDocs(q.value, { nowMs: NOW, computers: computers.value });
    expect(docs.map((d) => [d.event.dataset, d.jenkins?.label, d.queue, d.executors])).toEqual([
      ['jenkins.queue', undefined, { length: 4, buildable: 3, blocked: 1, stuck: 1, oldest_wait_ms: 9000, wait_ms: { p50: 2000, p95: 9000, max: 9000 } }, { total: 4, busy: 3, idle: 1 }],
      ['jenkins.queue.label', 'docker', { length: 2, buildable: 2, blocked: 0, stuck: 1, oldest_wait_ms: 9000, wait_ms: { p50: 1000, p95: 9000, max: 9000 } }, { total: 4, busy: 3, idle: 1 }],
      ['jenkins.queue.label', 'gpu', { length: 1, buildable: 1, blocked: 0, stuck: 0, oldest_wait_ms: 2000, wait_ms: { p50: 2000, p95: 2000, max: 2000 } }, { total: 0, busy: 0, idle: 0 }],
    ]);
    expect(computers.value.running.map((r) => `${r.nodeName}:${r.jobName}#${r.number}`)).toEqual(['a1:f/j#5', 'a2:j2#6', 'a2:j3#1']);
  });

  it('empty queue: length 0, no waits (absent, not 0)', () => {
    const docs = queueDocs(parseQueue({ items: [] }, { target: T, nowMs: NOW }).value, { nowMs: NOW });
    expect(docs).toEqual([{ '@timestamp': new Date(NOW).toISOString(), event: { dataset: 'jenkins.queue', module: 'jenkins' }, queue: { length: 0, buildable: 0, blocked: 0, stuck: 0 } }]);
  });

  it('future, negative, string and slightly-skewed timestamps', () => {
    const q = parseQueue(
      {
        items: [
          { id: 1, inQueueSince: NOW + 86_400_000 * 365 },
          { id: 2, inQueueSince: -5 },
          { id: 3, inQueueSince: '1460738557584' },
          { id: 4, inQueueSince: NOW + 30_000 },
          'junk',
        ],
      },
      { target: T, nowMs: NOW },
    );
    expect(q.value.map((i) => i.waitMs)).toEqual([undefined, undefined, undefined, 0]);
    expect(q.errors.map((e) => e.subject)).toEqual(['queue item 1', 'queue item 2', 'queue item 3', 'items']);
    expect(q.errors.every((e) => e.code === 'RS_ERR_PARSE_SHAPE' && e.target === T)).toBe(true);
  });

  it('not a queue: HTML string, array, missing items', () => {
    for (const body of ['<html><body>Jenkins is starting</body></html>', [], { jobs: [] }]) expect(parseQueue(body, { target: T, nowMs: NOW }).errors).toHaveLength(1);
  });
});

describe('parseJobTree', () => {
  const tree = {
    jobs: [
      { _class: 'hudson.model.FreeStyleProject', name: 'top', url: 'http://ci/job/top/', lastCompletedBuild: { number: 12 }, lastBuild: { number: 13 } },
      {
        _class: 'com.cloudbees.hudson.plugins.folder.Folder',
        name: 'team',
        jobs: [
          { name: 'svc', lastCompletedBuild: null },
          { _class: 'com.cloudbees.hudson.plugins.folder.Folder', name: 'deep', jobs: [{ name: 'leaf', lastCompletedBuild: { number: 1 } }] },
        ],
      },
      { _class: 'com.cloudbees.hudson.plugins.folder.Folder', name: 'unexpanded' },
      { name: '' },
    ],
  };
  it('flattens folders into full names, within the depth cap', () => {
    const r = parseJobTree(tree, { target: T, maxDepth: 5 });
    expect(r.value.unexpandedFolders).toEqual([{ path: ['unexpanded'], depth: 1 }]);
    expect(r.value.jobs.map((j) => [j.fullName, j.lastCompletedNumber, j.lastNumber])).toEqual([
      ['top', 12, 13],
      ['team/svc', undefined, undefined],
      ['team/deep/leaf', 1, undefined],
    ]);
    expect(r.value.jobs[2]!.path).toEqual(['team', 'deep', 'leaf']);
    expect(r.skipped).toEqual({});
    expect(r.errors).toHaveLength(1);
  });
  it('depth cap 1 stops at team/deep', () => {
    const r = parseJobTree(tree, { target: T, maxDepth: 1 });
    expect(r.value.jobs.map((j) => j.fullName)).toEqual(['top', 'team/svc']);
    expect(r.skipped).toEqual({ folder_depth_cap: 1 });
    expect(r.value.unexpandedFolders).toEqual([{ path: ['unexpanded'], depth: 1 }]);
    const zero = parseJobTree(tree, { target: T, maxDepth: 0 });
    expect(zero.skipped).toEqual({ folder_depth_cap: 2 });
    expect(zero.value.unexpandedFolders).toEqual([]);
  });
});

describe('parseBuilds: edge cases', () => {
  const ctx = { target: T, nowMs: NOW, jobName: 'j' };
  const ok = { number: 1, building: false, result: 'SUCCESS', timestamp: NOW - 60_000, duration: 30_000 };

  it('queuingDurationMillis wins over the sum; the sum needs all three parts', () => {
    const withQueuing = parseBuilds({ builds: [{ ...ok, actions: [{}, { _class: 'jenkins.metrics.impl.TimeInQueueAction', queuingDurationMillis: 900, blockedDurationMillis: 1, buildableDurationMillis: 2, waitingDurationMillis: 3 }] }] }, ctx);
    expect(withQueuing.value.finished[0]!.queue).toEqual({ waitMs: 900, buildableMs: 2, source: 'time_in_queue_action' });
    const partial = parseBuilds({ builds: [{ ...ok, actions: [{ _class: 'jenkins.metrics.impl.TimeInQueueAction', waitingDurationMillis: 3 }] }] }, ctx);
    expect(partial.value.finished[0]!.queue).toBeUndefined();
    const onlyClass = parseBuilds({ builds: [{ ...ok, actions: [{ _class: 'jenkins.metrics.impl.TimeInQueueAction' }] }] }, ctx);
    expect(onlyClass.value.finished[0]!.queue).toBeUndefined();
  });

  it('result null without `building` means still running; building=true is never finished', () => {
    const r = parseBuilds({ builds: [{ number: 3, result: null, timestamp: NOW }, { number: 2, building: true, result: null }, ok] }, ctx);
    expect(r.value.building).toEqual([3, 2]);
    expect(r.value.finished.map((b) => b.number)).toEqual([1]);
  });

  it('future, negative and pre-2000 timestamps, negative duration, bad numbers: errors, no record', () => {
    const r = parseBuilds(
      {
        builds: [
          { ...ok, number: 10, timestamp: NOW + 3_600_000 },
          { ...ok, number: 11, timestamp: -1 },
          { ...ok, number: 12, timestamp: 1_400_000_000 },
          { ...ok, number: 13, duration: -5 },
          { ...ok, number: 1.5 },
          { ...ok, number: 'x' },
          { ...ok, number: 14, timestamp: undefined },
          ok,
        ],
      },
      ctx,
    );
    expect(r.value.finished.map((b) => b.number)).toEqual([1]);
    // one error per unusable build (a wrong-typed number is reported once, by the reader)
    expect(r.errors).toHaveLength(7);
    expect(r.errors.every((e) => e.code === 'RS_ERR_PARSE_SHAPE')).toBe(true);
  });

  it('not builds: HTML string, empty object', () => {
    expect(parseBuilds('<html>', ctx).errors).toHaveLength(1);
    expect(parseBuilds({}, ctx).errors).toHaveLength(1);
  });
});
