import { describe, expect, it } from 'vitest';
import { parseBuilds, parseComputers, parseJobTree, parseQueue, parseQueueItem, queueDocs } from '../../../../src/collectors/jenkins/index.js';
import { capture, captureFiles } from '../http/captures.js';

const T = 'jenkins-test';
const J = (file: string) => capture(`jenkins/${file}`);

const COVERED = [
  'build_cdancy.json',
  'build_in-progress_cdancy_2016.json',
  'build_ujenkins_freestyle.json',
  'build_workflowrun_timeinqueue_pipeline-automation-lib.json',
  'computer_cdancy.json',
  'computer_depth1_busy_nestor.json',
  'computer_depth1_idle_nestor.json',
  'computer_ujenkins_offline-master.json',
  'job_cdancy.json',
  'job_nestor.json',
  'job_ujenkins.json',
  'queue_cdancy.json',
  'queue_item_blocked_cdancy.json',
  'queue_item_left-running_cdancy.json',
  'queue_nestor_legacy.json',
  'queue_ujenkins_blocked.json',
];

describe('jenkins conformance: every capture has expectations', () => {
  it('no capture without a test', () => {
    expect(captureFiles('jenkins')).toEqual(COVERED);
  });
});

describe('/queue/api/json', () => {
  it('cdancy (2016): waits from inQueueSince, no label in a bare "Waiting for next available executor"', () => {
    const now = 1460738600000;
    const r = parseQueue(J('queue_cdancy.json'), { target: T, nowMs: now });
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual([
      { id: 7, jobName: 'chicken', taskUrl: 'http://localhost:32769/job/chicken/', sinceMs: 1460738557584, waitMs: 42416, blocked: false, buildable: true, stuck: false, why: 'Waiting for next available executor' },
      { id: 6, jobName: 'Freestyle', taskUrl: 'http://localhost:32769/job/Freestyle/', sinceMs: 1460738551155, waitMs: 48845, blocked: false, buildable: true, stuck: false, why: 'Waiting for next available executor' },
    ]);
    const docs = queueDocs(r.value, { nowMs: now, jenkinsUrl: 'http://localhost:32769/' });
    expect(docs).toEqual([
      {
        '@timestamp': new Date(now).toISOString(),
        event: { dataset: 'jenkins.queue', module: 'jenkins' },
        jenkins: { url: 'http://localhost:32769/' },
        // nearest rank over [42416, 48845]: p50 → 1st, p95 → 2nd
        queue: { length: 2, buildable: 2, blocked: 0, stuck: 0, oldest_wait_ms: 48845, wait_ms: { p50: 42416, p95: 48845, max: 48845 } },
      },
    ]);
  });

  it('nestor (2011): no id and no inQueueSince → wait from buildableStartMilliseconds', () => {
    const now = 1310478700000;
    const r = parseQueue(J('queue_nestor_legacy.json'), { target: T, nowMs: now });
    expect(r.errors).toEqual([]);
    expect(r.value.map((i) => [i.id, i.jobName, i.waitMs, i.blocked])).toEqual([
      [undefined, 'blah-sleep1', 61633, true],
      [undefined, 'blah-sleep2', 61632, true],
    ]);
    expect(queueDocs(r.value, { nowMs: now })[0]!.queue).toEqual({
      length: 2,
      buildable: 0,
      blocked: 2,
      stuck: 0,
      oldest_wait_ms: 61633,
      wait_ms: { p50: 61632, p95: 61633, max: 61633 },
    });
  });

  it('ujenkins (2022, _class): one blocked item; read in 2016 its inQueueSince is in the future → error, no wait', () => {
    const r = parseQueue(J('queue_ujenkins_blocked.json'), { target: T, nowMs: 1662756700000 });
    expect(r.errors).toEqual([]);
    expect(r.value[0]).toMatchObject({ id: 14, jobName: 'test', waitMs: 57804, blocked: true, buildable: false });
    const past = parseQueue(J('queue_ujenkins_blocked.json'), { target: T, nowMs: 1460738600000 });
    expect(past.value[0]!.waitMs).toBeUndefined();
    expect(past.errors).toHaveLength(1);
    expect(past.errors[0]!.message).toMatch(/inQueueSince .* is in the future/);
    expect(queueDocs(past.value, { nowMs: 1460738600000 })[0]!.queue).toEqual({ length: 1, buildable: 0, blocked: 1, stuck: 0 });
  });

  it('single queue items: blocked (no executable yet) and left (executable #14)', () => {
    const now = 1524074900000;
    const blocked = parseQueueItem(J('queue_item_blocked_cdancy.json'), { target: T, nowMs: now });
    expect(blocked.errors).toEqual([]);
    expect(blocked.value!.item).toMatchObject({ id: 143, jobName: 'test', blocked: true, waitMs: now - 1524074568030 });
    expect(blocked.value!.executable).toBeUndefined();
    const left = parseQueueItem(J('queue_item_left-running_cdancy.json'), { target: T, nowMs: now });
    expect(left.errors).toEqual([]);
    expect(left.value!.executable).toEqual({ number: 14, url: 'http://localhost:8082/job/test/14/' });
    expect(left.value!.cancelled).toBe(false);
    // a single item is not a queue
    expect(parseQueue(J('queue_item_blocked_cdancy.json'), { target: T, nowMs: now }).errors).toHaveLength(1);
  });
});

describe('/computer/api/json', () => {
  it('depth=1 busy (nestor): which build runs on which node', () => {
    const r = parseComputers(J('computer_depth1_busy_nestor.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value.executors).toEqual({ total: 2, busy: 2, idle: 0 });
    expect(r.value.running).toEqual([
      { nodeName: 'master', jobName: 'red-rackham', number: 39, url: 'http://localhost:8080/job/red-rackham/39/' },
      { nodeName: 'master', jobName: 'golden-claw', number: 12, url: 'http://localhost:8080/job/golden-claw/12/' },
    ]);
    expect(r.value.nodes).toEqual([{ name: 'master', offline: false, temporarilyOffline: false, numExecutors: 2, busyExecutors: 2, idle: false, labels: [] }]);
  });

  it('depth=1 idle (nestor): nothing running', () => {
    const r = parseComputers(J('computer_depth1_idle_nestor.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value.running).toEqual([]);
    expect(r.value.executors).toEqual({ total: 2, busy: 0, idle: 2 });
    expect(r.value.nodes[0]!.busyExecutors).toBe(0);
  });

  it('depth 0 (cdancy): 10 nodes, 6 offline, totals from Jenkins (online executors only), per-node busy unknown', () => {
    const r = parseComputers(J('computer_cdancy.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value.executors).toEqual({ total: 5, busy: 1, idle: 4 });
    expect(r.value.nodes).toHaveLength(10);
    expect(r.value.nodes.filter((n) => n.offline).map((n) => n.name)).toEqual(['alpine-i686', 'arm-greg', 'i686-epian533-greg', 'macos-giles', 'osx-ppc-greg', 'solaris-greg']);
    expect(r.value.nodes.every((n) => n.busyExecutors === undefined)).toBe(true);
  });

  it('ujenkins: built-in node taken offline by the disk monitor; labels read', () => {
    const r = parseComputers(J('computer_ujenkins_offline-master.json'), { target: T });
    expect(r.errors).toEqual([]);
    expect(r.value.executors).toEqual({ total: 0, busy: 0, idle: 0 });
    expect(r.value.nodes[0]).toMatchObject({ name: 'master', offline: true, temporarilyOffline: true, labels: ['master'] });
  });
});

describe('builds', () => {
  const now = Date.parse('2026-11-22T03:00:00Z');

  it('finished freestyle build (cdancy): built-in node, queue id, end = start + duration', () => {
    const r = parseBuilds(J('build_cdancy.json'), { target: T, nowMs: now, jenkinsUrl: 'http://localhost:32769/' });
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual({
      finished: [
        {
          jenkinsUrl: 'http://localhost:32769/',
          jobName: 'fish',
          number: 10,
          url: 'http://localhost:32769/job/fish/10/',
          result: 'SUCCESS',
          builtOn: '',
          queueId: 73,
          startMs: 1461091892486,
          durationMs: 60750,
          endMs: 1461091953236,
        },
      ],
      building: [],
    });
  });

  it('a build still building is not finished', () => {
    const r = parseBuilds(J('build_in-progress_cdancy_2016.json'), { target: T, nowMs: now });
    expect(r.errors).toEqual([]);
    expect(r.value).toEqual({ finished: [], building: [9] });
  });

  it('ujenkins freestyle (2021): no TimeInQueueAction → no queue info', () => {
    const r = parseBuilds(J('build_ujenkins_freestyle.json'), { target: T, nowMs: now });
    expect(r.errors).toEqual([]);
    expect(r.value.finished[0]).toEqual({
      jobName: 'jobbb',
      number: 14,
      url: 'http://localhost:8080/job/jobbb/14/',
      result: 'SUCCESS',
      builtOn: '',
      queueId: 429,
      startMs: 1628629375963,
      durationMs: 6,
      endMs: 1628629375969,
    });
    // read in 2016, the 2021 start is in the future: error, no record
    const early = parseBuilds(J('build_ujenkins_freestyle.json'), { target: T, nowMs: 1460738600000 });
    expect(early.value.finished).toEqual([]);
    expect(early.errors[0]!.message).toMatch(/timestamp .* is in the future/);
  });

  it('Pipeline run with TimeInQueueAction: 0 blocked + 0 buildable + 5787 waiting = 5787 ms queued; folders in the name; no builtOn', () => {
    const r = parseBuilds(J('build_workflowrun_timeinqueue_pipeline-automation-lib.json'), { target: T, nowMs: now });
    expect(r.errors).toEqual([]);
    const b = r.value.finished[0]!;
    expect(b.jobName).toBe('DCAPI/DeploymentJobs/DeployFrontendStage/main');
    expect(b.number).toBe(721);
    expect(b.builtOn).toBeUndefined();
    expect(b.queue).toEqual({ waitMs: 5787, buildableMs: 0, source: 'time_in_queue_action' });
    expect(b.startMs).toBe(1566584575431);
    expect(b.durationMs).toBe(282193);
    expect(b.endMs).toBe(1566584857624);
    expect(b.queueId).toBe(681087);
  });

  it('job responses at depth 0 list builds with number/url only: counted, not guessed finished', () => {
    const expected: Record<string, number> = { 'job_cdancy.json': 7, 'job_nestor.json': 2, 'job_ujenkins.json': 4 };
    for (const [file, n] of Object.entries(expected)) {
      const r = parseBuilds(J(file), { target: T, nowMs: now, jobName: 'x' });
      expect(r.errors).toEqual([]);
      expect(r.value).toEqual({ finished: [], building: [] });
      expect(r.skipped).toEqual({ build_fields_missing: n });
      // a job answer is not a job tree
      expect(parseJobTree(J(file), { target: T, maxDepth: 3 }).errors).toHaveLength(1);
    }
  });
});
