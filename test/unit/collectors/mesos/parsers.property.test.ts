import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  agentDocsFromState,
  containerDocFromReading,
  cpuCoresBetween,
  parseAgentState,
  parseAgentStatistics,
  parseMasterState,
  parseMetricsSnapshot,
  parseRoles,
} from '../../../../src/collectors/mesos/index.js';

const NOW = Date.parse('2026-11-22T03:00:00Z');

/** Every number anywhere in a document is finite and ≥ 0 (no NaN, no negative usage). */
function numbersAreSane(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  if (Array.isArray(value)) return value.every(numbersAreSane);
  if (value !== null && typeof value === 'object') return Object.values(value).every(numbersAreSane);
  return true;
}

const stat = fc.option(fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)), { nil: undefined });
const statistics = fc.record(
  { timestamp: stat, cpus_user_time_secs: stat, cpus_system_time_secs: stat, cpus_limit: stat, mem_total_bytes: stat, mem_file_bytes: stat, mem_rss_bytes: stat, cpus_nr_throttled: stat, cpus_throttled_time_secs: stat },
  { requiredKeys: [] },
);

describe('mesos parsers never crash and never emit a wrong number (property)', () => {
  it('arbitrary JSON into every parser: no throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        parseMetricsSnapshot(body, { target: 't', nowMs: NOW, masterUrl: 'u' });
        const s = parseMasterState(body, { target: 't', nowMs: NOW });
        agentDocsFromState(s.value, NOW);
        parseRoles(body, { target: 't', nowMs: NOW });
        parseAgentStatistics(body, { target: 't' });
        parseAgentState(body, { target: 't' });
      }),
      { numRuns: 300 },
    );
  });

  it('random statistics pairs: cores, memory and throttling are absent or finite and ≥ 0', () => {
    fc.assert(
      fc.property(statistics, statistics, (a, b) => {
        const [prev] = parseAgentStatistics([{ executor_id: 'e', framework_id: 'f', statistics: a }], { target: 't' }).value;
        const [cur] = parseAgentStatistics([{ executor_id: 'e', framework_id: 'f', statistics: b }], { target: 't' }).value;
        if (cur === undefined) return;
        const rate = cpuCoresBetween(prev?.statistics, cur.statistics);
        if (rate.ok) expect(rate.cores >= 0 && Number.isFinite(rate.cores)).toBe(true);
        const doc = containerDocFromReading(prev?.statistics, cur, { nowMs: NOW, agentUrl: 'u' }).value;
        expect(numbersAreSane({ cpu: doc.cpu, memory: doc.memory })).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('random snapshots: every number in the cluster document is finite and ≥ 0', () => {
    const keys = ['master/elected', 'master/cpus_total', 'master/cpus_used', 'master/mem_total', 'master/mem_used', 'master/tasks_running', 'master/uptime_secs'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.double(), fc.integer(), fc.string())), (m) => {
        const r = parseMetricsSnapshot(m, { target: 't', nowMs: NOW, masterUrl: 'u' });
        expect(numbersAreSane(r.value.doc?.mesos ?? {})).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
