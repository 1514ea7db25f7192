/** Edge cases of the pure Docker parsers: hostile and broken input never crashes and never gives a wrong number. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_LABELS,
  MAX_LABEL_KEY_LENGTH,
  MAX_TEXT_LENGTH,
  containerCpuCores,
  mesosIdentityFromName,
  nsBetween,
  parseContainerList,
  formatDockerTimestamp,
  parseDockerTime,
  parseInspect,
  parseStartEvents,
  parseExitEvents,
  exitFromEvents,
  startedBetween,
  parseStatsReading,
  sanitizeLabels,
  toContainerDoc,
  type CpuSnapshot,
  type RunningStats,
} from '../../../../src/collectors/docker/index.js';

const ID = 'a'.repeat(64);

/** A minimal cgroup v1 one-shot reading; `over` replaces top-level keys. */
function stats(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ID,
    name: '/job',
    read: '2026-11-22T03:00:01.000000000Z',
    preread: '0001-01-01T00:00:00Z',
    pids_stats: { current: 3 },
    cpu_stats: {
      cpu_usage: { total_usage: 2_000_000_000, percpu_usage: [1_000_000_000, 1_000_000_000] },
      system_cpu_usage: 50_000_000_000,
      online_cpus: 2,
      throttling_data: { periods: 100, throttled_periods: 10, throttled_time: 500_000_000 },
    },
    precpu_stats: { cpu_usage: { total_usage: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    memory_stats: {
      usage: 100_000_000,
      max_usage: 120_000_000,
      limit: 268_435_456,
      stats: { total_inactive_file: 10_000_000, total_rss: 80_000_000, cache: 15_000_000, hierarchical_memory_limit: 268_435_456 },
    },
    ...over,
  };
}

function parsed(raw: unknown): RunningStats {
  const r = parseStatsReading(raw);
  if (r.status !== 'running') throw new Error(JSON.stringify(r));
  return r;
}

function snap(readIso: string, totalUsageNs: number, extra: Partial<CpuSnapshot> = {}): CpuSnapshot {
  const read = parseDockerTime(readIso);
  if (!read) throw new Error(readIso);
  return { read, totalUsageNs, onlineCpus: 2, ...extra };
}

describe('parseDockerTime', () => {
  it('keeps nanoseconds exactly and reads zone offsets', () => {
    const a = parseDockerTime('2026-11-22T03:00:00.000000001Z');
    const b = parseDockerTime('2026-11-22T04:00:01.5+01:00');
    expect(a).toEqual({ epochMs: Date.UTC(2026, 10, 22, 3), subMsNs: 1 });
    expect(b).toEqual({ epochMs: Date.UTC(2026, 10, 22, 3, 0, 1, 500), subMsNs: 0 });
    expect(nsBetween(a!, b!)).toBe(1_499_999_999);
  });

  it('Go zero time is "never"; garbage is undefined', () => {
    expect(parseDockerTime('0001-01-01T00:00:00Z')).toBeNull();
    for (const bad of ['', 'yesterday', '2026-13-01T00:00:00Z', '2026-11-22 03:00:00', 17, null, undefined, {}]) {
      expect(parseDockerTime(bad)).toBeUndefined();
    }
  });
});

describe('parseStatsReading: shapes', () => {
  it.each([
    ['null', null],
    ['an array', [stats()]],
    ['a string', 'not json'],
    ['a number', 42],
    ['a Buffer of non-JSON (what docker-modem returns for a garbled body)', Buffer.from('<html>502</html>')],
  ])('%s → RS_ERR_PARSE_SHAPE', (_label, raw) => {
    expect(parseStatsReading(raw)).toMatchObject({ status: 'error', code: 'RS_ERR_PARSE_SHAPE' });
  });

  it('missing or invalid `read` → shape error naming the field', () => {
    expect(parseStatsReading(stats({ read: undefined }))).toMatchObject({ status: 'error', path: 'read' });
    expect(parseStatsReading(stats({ read: 'soon' }))).toMatchObject({ status: 'error', path: 'read' });
  });

  it('a CPU counter that is a string, NaN, Infinity or negative → shape error, never a number', () => {
    for (const bad of ['2000000000', Number.NaN, Number.POSITIVE_INFINITY, -1, null]) {
      const raw = stats({ cpu_stats: { cpu_usage: { total_usage: bad } } });
      expect(parseStatsReading(raw)).toMatchObject({ status: 'error', path: 'cpu_stats.cpu_usage.total_usage' });
    }
    expect(parseStatsReading(stats({ cpu_stats: undefined }))).toMatchObject({ status: 'error' });
  });

  it('invalid optional numbers are absent, never 0 or NaN', () => {
    const r = parsed(
      stats({
        pids_stats: { current: 'many' },
        memory_stats: { usage: 100, limit: Number.NaN, max_usage: -5, stats: { total_inactive_file: '7', total_rss: Number.POSITIVE_INFINITY } },
      }),
    );
    expect(r.processCount).toBeUndefined();
    // total_inactive_file exists but is invalid → working set unknown (not usage, not usage − 0)
    expect(r.memory).toEqual({ usageBytes: 100 });
  });

  it('memory: floors the working set at 0, prefers v1 total_inactive_file over cache', () => {
    expect(parsed(stats()).memory).toEqual({ usageBytes: 100_000_000, workingSetBytes: 90_000_000, rssBytes: 80_000_000, limitBytes: 268_435_456, peakBytes: 120_000_000 });
    const floored = parsed(stats({ memory_stats: { usage: 1_000, stats: { inactive_file: 5_000, anon: 200 } } }));
    expect(floored.memory).toEqual({ usageBytes: 1_000, workingSetBytes: 0, rssBytes: 200 });
  });

  it('memory: no usage or no stats → absent or usage only; limit 0 or ≥ 2^62 means no limit', () => {
    expect(parsed(stats({ memory_stats: {} })).memory).toBeUndefined();
    expect(parsed(stats({ memory_stats: { usage: 5 } })).memory).toEqual({ usageBytes: 5 });
    expect(parsed(stats({ memory_stats: { usage: 5, limit: 0 } })).memory?.limitBytes).toBeUndefined();
    expect(parsed(stats({ memory_stats: { usage: 5, limit: 2 ** 63 } })).memory?.limitBytes).toBeUndefined();
    expect(parsed(stats({ memory_stats: { usage: 5, limit: 2 ** 62 - 4096 } })).memory?.limitBytes).toBe(2 ** 62 - 4096);
  });

  it('Windows stats: working set from privateworkingset', () => {
    expect(parsed(stats({ memory_stats: { privateworkingset: 7_000, commitbytes: 9_000 } })).memory).toEqual({ usageBytes: 7_000, workingSetBytes: 7_000 });
  });

  it('a minimal reading (only read and the CPU counter, every other key missing) is valid', () => {
    expect(parseStatsReading({ read: '2026-11-22T03:00:00Z', cpu_stats: { cpu_usage: { total_usage: 7 } } })).toEqual({
      status: 'running',
      cpu: { read: { epochMs: Date.UTC(2026, 10, 22, 3), subMsNs: 0 }, totalUsageNs: 7 },
    });
  });

  it('CPU count: online_cpus, else percpu_usage.length, else absent', () => {
    expect(parsed(stats()).cpu.onlineCpus).toBe(2);
    const old = parsed(stats({ cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 0, 2] } } }));
    expect(old.cpu.onlineCpus).toBe(4);
    expect(parsed(stats({ cpu_stats: { cpu_usage: { total_usage: 5 } } })).cpu.onlineCpus).toBeUndefined();
  });

  it('an id that is not hex is dropped (it never reaches a URL)', () => {
    expect(parsed(stats({ id: '../../containers/json' })).id).toBeUndefined();
  });

  it('never throws on arbitrary JSON, and every number it returns is finite and ≥ 0', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        for (const raw of [a, stats({ cpu_stats: a, memory_stats: b }), stats({ memory_stats: { usage: 1e6, stats: a } })]) {
          const r = parseStatsReading(raw);
          JSON.stringify(r, (_k, v: unknown) => {
            if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0)) throw new Error(`bad number ${v}`);
            return v;
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('containerCpuCores', () => {
  it('Δtotal / Δread: 0.75 s of CPU over 1.5 s → 0.5 cores', () => {
    const r = containerCpuCores(snap('2026-11-22T03:00:00Z', 1_000_000_000), snap('2026-11-22T03:00:01.5Z', 1_750_000_000));
    expect(r).toEqual({ ok: true, cores: 0.5, intervalMs: 1500 });
  });

  it('throttling deltas: periods and time in ms', () => {
    const prev = snap('2026-11-22T03:00:00Z', 0, { throttling: { periods: 100, throttledPeriods: 10, throttledTimeNs: 500_000_000 } });
    const cur = snap('2026-11-22T03:00:10Z', 5e9, { throttling: { periods: 200, throttledPeriods: 60, throttledTimeNs: 3_000_000_000 } });
    expect(containerCpuCores(prev, cur)).toEqual({ ok: true, cores: 0.5, intervalMs: 10_000, throttled: { periods: 50, timeMs: 2500, totalPeriods: 100 } });
  });

  it('a counter going backwards (restart with the same id) → counter_reset, never negative', () => {
    expect(containerCpuCores(snap('2026-11-22T03:00:00Z', 9e9), snap('2026-11-22T03:00:01Z', 1e8))).toEqual({ ok: false, reason: 'counter_reset' });
    const thr = (n: number): CpuSnapshot['throttling'] => ({ periods: n, throttledPeriods: 0, throttledTimeNs: 0 });
    expect(containerCpuCores(snap('2026-11-22T03:00:00Z', 1e9, { throttling: thr(500) }), snap('2026-11-22T03:00:01Z', 1.2e9, { throttling: thr(3) }))).toEqual({
      ok: false,
      reason: 'counter_reset',
    });
    // v1 max_usage only grows within one run
    expect(containerCpuCores(snap('2026-11-22T03:00:00Z', 1e8, { maxUsageBytes: 5e8 }), snap('2026-11-22T03:00:01Z', 2e8, { maxUsageBytes: 1e6 }))).toEqual({
      ok: false,
      reason: 'counter_reset',
    });
  });

  it('time standing still or going back → counter_reset', () => {
    expect(containerCpuCores(snap('2026-11-22T03:00:01Z', 1), snap('2026-11-22T03:00:01Z', 2))).toEqual({ ok: false, reason: 'counter_reset' });
    expect(containerCpuCores(snap('2026-11-22T03:00:02Z', 1), snap('2026-11-22T03:00:01Z', 2))).toEqual({ ok: false, reason: 'counter_reset' });
  });

  it('more cores than the host has → implausible_rate', () => {
    // 3 s of CPU in 1 s on 2 CPUs
    expect(containerCpuCores(snap('2026-11-22T03:00:00Z', 0), snap('2026-11-22T03:00:01Z', 3e9))).toEqual({ ok: false, reason: 'implausible_rate' });
  });

  it('a future timestamp (daemon clock jump) that the collector clock contradicts → clock_jump, then counter_reset', () => {
    const prev = snap('2026-11-22T03:00:00Z', 1e9);
    const future = snap('2031-01-01T00:00:00Z', 2e9);
    expect(containerCpuCores(prev, future, { observedIntervalMs: 1000 })).toEqual({ ok: false, reason: 'clock_jump' });
    // without the collector's view the jump would be a tiny wrong figure: that is why the collector passes it
    expect(containerCpuCores(future, snap('2026-11-22T03:00:02Z', 3e9), { observedIntervalMs: 1000 })).toEqual({ ok: false, reason: 'counter_reset' });
    // latency jitter inside the tolerance is fine
    expect(containerCpuCores(prev, snap('2026-11-22T03:00:01Z', 1.5e9), { observedIntervalMs: 3000 })).toMatchObject({ ok: true, cores: 0.5 });
  });

  it('a reading after a long gap gives the average over the gap', () => {
    // daemon away for 10 minutes; 150 s of CPU → 0.25 cores on average
    const r = containerCpuCores(snap('2026-11-22T03:00:00Z', 0), snap('2026-11-22T03:10:00Z', 150e9), { observedIntervalMs: 600_000 });
    expect(r).toEqual({ ok: true, cores: 0.25, intervalMs: 600_000 });
  });

  it('first reading → no figure', () => {
    expect(containerCpuCores(undefined, snap('2026-11-22T03:00:00Z', 1))).toEqual({ ok: false, reason: 'first_reading' });
  });

  it('property: any pair gives a finite figure in [0, cpus·1.05] or a reason', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e18, max: 1e18, noNaN: false }), fc.double({ min: -1e18, max: 1e18 }), fc.integer({ min: -5000, max: 5000 }), (t1, t2, dtMs) => {
        const prev: CpuSnapshot = { read: { epochMs: 1e12, subMsNs: 0 }, totalUsageNs: t1, onlineCpus: 4 };
        const cur: CpuSnapshot = { read: { epochMs: 1e12 + dtMs, subMsNs: 0 }, totalUsageNs: t2, onlineCpus: 4 };
        const r = containerCpuCores(prev, cur);
        if (r.ok) {
          expect(Number.isFinite(r.cores) && r.cores >= 0 && r.cores <= 4.2).toBe(true);
          expect(r.intervalMs).toBeGreaterThan(0);
        } else expect(['counter_reset', 'implausible_rate']).toContain(r.reason);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseInspect', () => {
  const inspect = (hostConfig: Record<string, unknown>, config: Record<string, unknown> = {}, name = '/x'): ReturnType<typeof parseInspect> =>
    parseInspect({ Id: ID, Name: name, HostConfig: hostConfig, Config: config, State: { OOMKilled: false, StartedAt: '2026-11-22T03:00:00Z' } });

  it('CPU limit: NanoCpus, else CpuQuota/CpuPeriod (period 0 = 100,000 µs), else absent', () => {
    expect(inspect({ NanoCpus: 1_500_000_000, CpuQuota: 50_000, CpuPeriod: 100_000 })).toMatchObject({ info: { cpuLimitCores: 1.5 } });
    expect(inspect({ NanoCpus: 0, CpuQuota: 50_000, CpuPeriod: 200_000 })).toMatchObject({ info: { cpuLimitCores: 0.25 } });
    expect(inspect({ CpuQuota: 150_000, CpuPeriod: 0 })).toMatchObject({ info: { cpuLimitCores: 1.5 } });
    const none = inspect({ NanoCpus: 0, CpuQuota: -1, CpuPeriod: 0, CpuShares: 1024 });
    expect(none.status === 'ok' && none.info.cpuLimitCores).toBeUndefined();
  });

  it('memory limit: Memory bytes; 0 → absent', () => {
    expect(inspect({ Memory: 256 * 2 ** 20 })).toMatchObject({ info: { memoryLimitBytes: 268_435_456 } });
    const none = inspect({ Memory: 0 });
    expect(none.status === 'ok' && none.info.memoryLimitBytes).toBeUndefined();
  });

  it('Mesos identity from the name (current and pre-1.0 forms) and the environment', () => {
    const uuid = '3a8e9c5d-1b2f-4c6d-8e9f-0a1b2c3d4e5f';
    expect(mesosIdentityFromName(`/mesos-${uuid}`)).toEqual({ containerId: uuid });
    expect(mesosIdentityFromName(`/mesos-20140619-151434-16842879-5050-1196-S0.${uuid}`)).toEqual({ agentId: '20140619-151434-16842879-5050-1196-S0', containerId: uuid });
    expect(mesosIdentityFromName(`mesos-S1.${uuid}.executor`)).toEqual({ agentId: 'S1', containerId: uuid });
    // a hand-made container called mesos-slave is not a Mesos container
    expect(mesosIdentityFromName('/mesos-slave')).toBeUndefined();
    expect(mesosIdentityFromName('/jenkins')).toBeUndefined();

    const r = inspect({}, {
      Env: [
        'MESOS_TASK_ID=mesos-jenkins-1a2b3c4d-linux',
        'MESOS_FRAMEWORK_ID=fw-0001',
        'MESOS_EXECUTOR_ID=exec-1',
        'MESOS_SLAVE_ID=agent-S7',
        'NODE_NAME=mesos-jenkins-1a2b3c4d-linux',
        'NODE_LABELS=linux docker big',
        'JOB_NAME=team/app/main',
        'BUILD_NUMBER=118',
        'JENKINS_URL=https://ci.example.com/',
        'NOEQUALS',
        42,
      ],
    }, `/mesos-${uuid}`);
    expect(r).toMatchObject({
      status: 'ok',
      info: {
        mesos: { agent: { id: 'agent-S7' }, framework: { id: 'fw-0001' }, executor: { id: 'exec-1' }, task: { id: 'mesos-jenkins-1a2b3c4d-linux' }, container: { id: uuid } },
        jenkins: { url: 'https://ci.example.com/', node: { name: 'mesos-jenkins-1a2b3c4d-linux' }, label: 'linux', job: { name: 'team/app/main' }, build: { number: 118 } },
      },
    });
  });

  it('MESOS_AGENT_ID and MESOS_CONTAINER_NAME are read too; a non-integer BUILD_NUMBER is absent', () => {
    const uuid = '00000000-0000-4000-8000-000000000001';
    const r = inspect({}, { Env: [`MESOS_CONTAINER_NAME=mesos-${uuid}`, 'MESOS_AGENT_ID=S3', 'BUILD_NUMBER=12abc', 'JOB_NAME=x'] });
    expect(r).toMatchObject({ info: { mesos: { agent: { id: 'S3' }, container: { id: uuid } }, jenkins: { job: { name: 'x' } } } });
    expect(r.status === 'ok' && r.info.jenkins?.build).toBeUndefined();
  });

  it('labels: dots → _, hostile keys and huge values capped, non-strings dropped', () => {
    const huge = 'v'.repeat(1_000_000);
    // parsed from JSON text, as the daemon's answer is: "__proto__" becomes an own key
    const raw: Record<string, unknown> = JSON.parse(
      `{"com.example.team":"ci","__proto__":"p","constructor":"c","...":"dots","":"empty","n":5,"big":"${huge}","${'k'.repeat(5000)}":"long-key"}`,
    );
    expect(Object.keys(raw)).toContain('__proto__');
    const labels = sanitizeLabels(raw)!;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype); // __proto__ did not replace the prototype
    expect(Object.keys(labels).sort()).toEqual(['__proto__', 'big', 'com_example_team', 'constructor', 'k'.repeat(MAX_LABEL_KEY_LENGTH)].sort());
    expect(labels['com_example_team']).toBe('ci');
    expect(labels['big']).toHaveLength(MAX_TEXT_LENGTH);
    expect(JSON.parse(JSON.stringify(labels))).toEqual({ ...labels });
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`l${String(i).padStart(3, '0')}`, 'x']));
    expect(Object.keys(sanitizeLabels(many)!)).toHaveLength(MAX_LABELS);
    expect(sanitizeLabels('nope')).toBeUndefined();
    expect(sanitizeLabels({})).toBeUndefined();
  });

  it('capping never leaves half a surrogate pair', () => {
    const emoji = '😀'.repeat(MAX_TEXT_LENGTH); // 2 UTF-16 units each
    const v = sanitizeLabels({ e: `x${emoji}` })!['e']!;
    expect(v.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(/[\uD800-\uDBFF]$/.test(v)).toBe(false);
  });

  it('non-object input → shape error; an object with none of the keys → shape error', () => {
    for (const raw of [null, [], 'x', 3, Buffer.from('x')]) expect(parseInspect(raw)).toMatchObject({ status: 'error', code: 'RS_ERR_PARSE_SHAPE' });
    expect(parseInspect({ message: 'No such container' })).toMatchObject({ status: 'error' });
    // Env and Labels of the wrong type are ignored, not fatal
    expect(parseInspect({ Id: ID, Config: { Env: 'A=B', Labels: ['x'] }, HostConfig: { Memory: '1g' } })).toEqual({ status: 'ok', info: { id: ID } });
  });
});

describe('parseContainerList', () => {
  it('drops entries without a valid hex Id, as errors for those entries only', () => {
    const r = parseContainerList([{ Id: ID, Names: ['/ok'], State: 'running' }, { Id: '../../etc' }, 'x', { Names: ['/noid'] }]);
    if ('status' in r) throw new Error(r.message);
    expect(r.containers).toEqual([{ id: ID, name: 'ok', state: 'running' }]);
    expect(r.errors.map((e) => e.path)).toEqual(['[1].Id', '[2].Id', '[3].Id']);
  });

  it('a non-array is a shape error', () => {
    expect(parseContainerList({ message: 'server error' })).toMatchObject({ status: 'error', code: 'RS_ERR_PARSE_SHAPE' });
  });
});

describe('toContainerDoc', () => {
  const reading = parsed(stats());
  const base = { containerId: ID, reading, nowMs: Date.UTC(2026, 10, 22, 3, 0, 2), endpoint: 'tcp://agent-7:2375' } as const;

  it('first reading: memory but no cpu.cores (absent, not 0); inspect limits win', () => {
    const doc = toContainerDoc({ ...base, cpu: { ok: false, reason: 'first_reading' }, inspect: { cpuLimitCores: 2, memoryLimitBytes: 1_073_741_824 } });
    expect(doc.cpu).toEqual({ limit_cores: 2 });
    expect(doc.memory?.limit_bytes).toBe(1_073_741_824);
    expect(doc.memory?.working_set_bytes).toBe(90_000_000);
    expect(doc['@timestamp']).toBe('2026-11-22T03:00:02.000Z');
    expect(doc.service).toEqual({ address: 'tcp://agent-7:2375' });
    expect(doc.host).toBeUndefined();
  });

  it('inspect says unlimited → no memory limit even though stats report one; without inspect, stats limit', () => {
    expect(toContainerDoc({ ...base, cpu: { ok: false, reason: 'first_reading' }, inspect: {} }).memory?.limit_bytes).toBeUndefined();
    expect(toContainerDoc({ ...base, cpu: { ok: false, reason: 'first_reading' } }).memory?.limit_bytes).toBe(268_435_456);
  });

  it('peak_bytes is the peak since the previous sample: max_usage only when it rose', () => {
    const first = { ...base, cpu: { ok: false, reason: 'first_reading' } } as const;
    expect(toContainerDoc(first).memory?.peak_bytes).toBe(120_000_000); // the run so far
    const pair = { ...base, cpu: { ok: true, cores: 0.5, intervalMs: 1000 } } as const;
    expect(toContainerDoc({ ...pair, previousMaxUsageBytes: 100_000_000 }).memory?.peak_bytes).toBe(120_000_000); // new high-water mark
    expect(toContainerDoc({ ...pair, previousMaxUsageBytes: 120_000_000 }).memory?.peak_bytes).toBeUndefined(); // unknown within the interval
  });

  it('non-finite numbers never reach the document', () => {
    const doc = toContainerDoc({ ...base, cpu: { ok: true, cores: Number.NaN, intervalMs: Number.POSITIVE_INFINITY, throttled: { periods: -1, timeMs: Number.NaN } } });
    expect(doc.cpu).toBeUndefined();
  });
});

describe('start events', () => {
  const body = [
    `{"status":"start","id":"${ID}","Type":"container","Action":"start","Actor":{"ID":"${ID}"},"time":1795318260,"timeNano":1795318260057537285}`,
    `{"status":"die","id":"${ID}","Action":"die","timeNano":1795318261000000000}`,
    '{"garbage',
    `{"Action":"start","id":"../x","timeNano":1795318262000000000}`,
    '',
  ].join('\n');

  it('keeps the 19-digit timeNano exact (a JSON number would round it)', () => {
    const r = parseStartEvents(body);
    expect(r.events).toEqual([{ id: ID, at: { epochMs: 1_795_318_260_057, subMsNs: 537_285 } }]);
    expect(r.ignored).toBe(3);
  });

  it('a start counts only strictly after the previous reading and not after the current one', () => {
    const { events } = parseStartEvents(body);
    const at = (iso: string) => parseDockerTime(iso)!;
    expect(startedBetween(events, ID, at('2026-11-22T03:31:00.057537284Z'), at('2026-11-22T03:31:01Z'))).toBe(true);
    expect(startedBetween(events, ID, at('2026-11-22T03:31:00.057537285Z'), at('2026-11-22T03:31:01Z'))).toBe(false);
    expect(startedBetween(events, ID, at('2026-11-22T03:30:59Z'), at('2026-11-22T03:31:00.057537284Z'))).toBe(false);
    expect(startedBetween(events, 'b'.repeat(64), at('2026-11-22T03:30:59Z'), at('2026-11-22T03:31:01Z'))).toBe(false);
  });

  it('formats since/until as <seconds>.<nanoseconds>', () => {
    expect(formatDockerTimestamp({ epochMs: 1_795_318_260_057, subMsNs: 537_285 })).toBe('1795318260.057537285');
    expect(formatDockerTimestamp({ epochMs: 1_795_318_260_000, subMsNs: 5 })).toBe('1795318260.000000005');
  });
});

describe('parseExitEvents / exitFromEvents', () => {
  const id = 'f'.repeat(64);
  const other = 'e'.repeat(64);
  const line = (action: string, timeNano: string, attrs = '{}', who = id) =>
    `{"status":"${action}","id":"${who}","from":"rightsize/workload:latest","Type":"container","Action":"${action}","Actor":{"ID":"${who}","Attributes":${attrs}},"scope":"local","time":${timeNano.slice(0, 10)},"timeNano":${timeNano}}`;

  it('reads die (exit code from the string attribute) and oom, ignores the rest and garbage', () => {
    const body = [
      line('oom', '1763780400123456789', '{"image":"x","name":"mesos-1"}'),
      line('die', '1763780400125000001', '{"exitCode":"137","image":"x","name":"mesos-1"}'),
      line('start', '1763780399000000000'),
      '{not json',
      line('die', '1763780400200000000', '{"exitCode":"x"}', other),
    ].join('\n');
    const r = parseExitEvents(body);
    expect(r.ignored).toBe(2);
    expect(r.events).toEqual([
      { id, action: 'oom', at: { epochMs: 1763780400123, subMsNs: 456789 } },
      { id, action: 'die', at: { epochMs: 1763780400125, subMsNs: 1 }, exitCode: 137 },
      { id: other, action: 'die', at: { epochMs: 1763780400200, subMsNs: 0 } },
    ]);
    expect(exitFromEvents(r.events, id)).toEqual({ atMs: 1763780400125, exitCode: 137, oomKilled: true });
    expect(exitFromEvents(r.events, other)).toEqual({ atMs: 1763780400200, oomKilled: false });
    expect(exitFromEvents(r.events, 'd'.repeat(64))).toBeUndefined();
  });

  it('an oom after the newest die belongs to a later run, not to this exit; the newest die wins', () => {
    const { events } = parseExitEvents(
      [line('die', '1763780400000000000', '{"exitCode":"1"}'), line('die', '1763780401000000000', '{"exitCode":"0"}'), line('oom', '1763780402000000000')].join('\n'),
    );
    expect(exitFromEvents(events, id)).toEqual({ atMs: 1763780401000, exitCode: 0, oomKilled: false });
  });
});
