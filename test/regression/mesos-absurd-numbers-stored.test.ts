import { describe, expect, it } from 'vitest';
import { containerDocFromReading, parseAgentStatistics, parseMasterState, parseMetricsSnapshot } from '../../src/collectors/mesos/index.js';

/**
 * Issue 14 item 7: absurd upstream numbers were stored, or cost whole documents. The master's
 * `cpus_percent` 7.5 went into a 0..1 field; byte counts beyond Elasticsearch's `long` (2^63) got
 * the whole document rejected. Each such value is now an `RS_ERR_PARSE_RANGE` item error, the
 * field is left out and the document kept.
 */
const NOW = Date.parse('2026-11-22T03:00:00Z');
const LONG_MAX = 2 ** 63;

describe('regression: absurd Mesos numbers are counted item errors, the document is kept', () => {
  it('master /metrics/snapshot: a percent above 1 and MB beyond any cluster are left out, the rest kept', () => {
    const r = parseMetricsSnapshot(
      { 'master/elected': 1, 'master/cpus_total': 32, 'master/cpus_percent': 7.5, 'master/mem_total': 1e300, 'master/mem_percent': 0.5, 'master/tasks_running': 2 ** 70 },
      { target: 't', nowMs: NOW, masterUrl: 'http://m1:5050' },
    );
    const doc = r.value.doc!;
    expect(doc.mesos.cpus).toEqual({ total: 32 });
    expect(doc.mesos.mem).toEqual({ percent: 0.5 });
    expect(doc.mesos.tasks).toBeUndefined();
    expect(r.errors.map((e) => [e.code, e.subject])).toEqual([
      ['RS_ERR_PARSE_RANGE', 'master/cpus_percent'],
      ['RS_ERR_PARSE_RANGE', 'master/mem_total'],
      ['RS_ERR_PARSE_RANGE', 'master/tasks_running'],
    ]);
  });

  it('agent /monitor/statistics: bytes, process counts and counters beyond what a host reports are left out', () => {
    const r = parseAgentStatistics(
      [
        {
          framework_id: 'f',
          executor_id: 'e',
          statistics: { timestamp: 100, cpus_user_time_secs: 1, cpus_system_time_secs: 1, mem_rss_bytes: 2 ** 70, mem_limit_bytes: 2 ** 30, processes: 2 ** 63, cpus_nr_throttled: 1e300 },
        },
      ],
      { target: 't' },
    );
    expect(r.value).toHaveLength(1);
    expect(r.value[0]!.statistics).toEqual({ timestampSecs: 100, cpusUserTimeSecs: 1, cpusSystemTimeSecs: 1, memLimitBytes: 2 ** 30 });
    expect(r.errors.map((e) => e.code)).toEqual(['RS_ERR_PARSE_RANGE', 'RS_ERR_PARSE_RANGE', 'RS_ERR_PARSE_RANGE']);
    const doc = containerDocFromReading(undefined, r.value[0]!, { nowMs: NOW, agentUrl: 'http://a1:5051' }).value;
    for (const v of [doc.memory?.rss_bytes, doc.process?.count]) expect(v).toBeUndefined();
  });

  it('master /master/state: resources beyond any host (mem 1e300 MB) are left out with an error; the agent is kept', () => {
    const r = parseMasterState({ slaves: [{ id: 'S1', resources: { cpus: 8, mem: 1e300, disk: 2 ** 60 } }] }, { target: 't', nowMs: NOW });
    expect(r.value.agents).toHaveLength(1);
    expect(r.value.agents[0]!.resources).toEqual({ cpus: 8 });
    expect(r.errors.every((e) => e.code === 'RS_ERR_PARSE_RANGE')).toBe(true);
    expect(r.errors).toHaveLength(2);
    for (const a of r.value.agents) for (const v of Object.values(a.resources)) expect(v).toBeLessThan(LONG_MAX);
  });
});
