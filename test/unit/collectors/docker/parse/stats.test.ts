/** `parseStatsReading`: hostile and broken input never crashes and never gives a wrong number. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseStatsReading } from '../../../../../src/collectors/docker/index.js';
import { parsed, stats } from './fixtures.js';

describe('parseStatsReading: shapes', () => {
  it.each([
    ['null', null],
    ['an array', [stats()]],
    ['a string', 'not json'],
    ['a number', 42],
    ['a Buffer of non-JSON', Buffer.from('<html>502</html>')],
  ])('%s → no reading, RS_ERR_PARSE_SHAPE', (_label, raw) => {
    const r = parseStatsReading(raw);
    expect(r.value).toBeUndefined();
    expect(r.errors).toMatchObject([{ code: 'RS_ERR_PARSE_SHAPE' }]);
  });

  it('missing or invalid `read` → shape error naming the field', () => {
    expect(parseStatsReading(stats({ read: undefined }))).toMatchObject({ value: undefined, errors: [{ code: 'RS_ERR_PARSE_SHAPE', subject: 'read' }] });
    expect(parseStatsReading(stats({ read: 'soon' }))).toMatchObject({ value: undefined, errors: [{ code: 'RS_ERR_PARSE_SHAPE', subject: 'read' }] });
  });

  it('a CPU counter that is a string, NaN, Infinity or negative → shape error, never a number', () => {
    for (const bad of ['2000000000', Number.NaN, Number.POSITIVE_INFINITY, -1, null]) {
      const raw = stats({ cpu_stats: { cpu_usage: { total_usage: bad } } });
      expect(parseStatsReading(raw)).toMatchObject({ value: undefined, errors: [{ code: 'RS_ERR_PARSE_SHAPE', subject: 'cpu_stats.cpu_usage.total_usage' }] });
    }
    expect(parseStatsReading(stats({ cpu_stats: undefined }))).toMatchObject({ value: undefined, errors: [{ code: 'RS_ERR_PARSE_SHAPE' }] });
  });

  it('invalid optional numbers are absent, never 0 or NaN, and each is a counted RS_ERR_PARSE_SHAPE error', () => {
    const r = parseStatsReading(stats({ pids_stats: { current: 'many' }, memory_stats: { usage: 100, stats: { total_rss: 'lots' } } }));
    expect(r.value).toMatchObject({ status: 'running' });
    expect(r.errors.map((e) => [e.code, e.subject])).toEqual([
      ['RS_ERR_PARSE_SHAPE', 'memory_stats.stats.total_rss'],
      ['RS_ERR_PARSE_SHAPE', 'pids_stats.current'],
    ]);
  });

  it('figures beyond what a host can report (pids 2^63, memory 2^70, online_cpus 10^6) are RS_ERR_PARSE_RANGE errors; the field is absent, the reading kept', () => {
    const r = parseStatsReading(
      stats({
        pids_stats: { current: 2 ** 63 },
        memory_stats: { usage: 2 ** 70, max_usage: 2 ** 70, limit: 2 ** 33, stats: { total_inactive_file: 0, total_rss: 2 ** 70 } },
      }),
    );
    expect(r.value?.status).toBe('running');
    const reading = r.value?.status === 'running' ? r.value : undefined;
    expect(reading?.processCount).toBeUndefined();
    expect(reading?.memory).toBeUndefined(); // no usable usage → no memory figures at all
    expect(reading?.cpu.totalUsageNs).toBe(2_000_000_000); // the rest of the reading is kept
    expect(r.errors.every((e) => e.code === 'RS_ERR_PARSE_RANGE')).toBe(true);
    expect(r.errors.map((e) => e.subject)).toEqual(expect.arrayContaining(['memory_stats.usage', 'pids_stats.current']));

    const partly = parsed(stats({ memory_stats: { usage: 1000, stats: { total_inactive_file: 2 ** 70, total_rss: 400 } } }));
    expect(partly.memory).toEqual({ usageBytes: 1000, rssBytes: 400 });
    const cpus = parseStatsReading(stats({ cpu_stats: { cpu_usage: { total_usage: 5 }, online_cpus: 1e6 } }));
    expect(cpus.value?.status === 'running' && cpus.value.cpu.onlineCpus).toBeUndefined();
    expect(cpus.errors).toMatchObject([{ code: 'RS_ERR_PARSE_RANGE', subject: 'cpu_stats.online_cpus' }]);
    // the largest figures a host can have are kept
    const big = parsed(stats({ pids_stats: { current: 4_194_304 }, memory_stats: { usage: 2 ** 50 } }));
    expect(big.processCount).toBe(4_194_304);
    expect(big.memory?.usageBytes).toBe(2 ** 50);
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
      value: { status: 'running', cpu: { read: { epochMs: Date.UTC(2026, 10, 22, 3), subMsNs: 0 }, totalUsageNs: 7 } },
      errors: [],
      skipped: {},
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
