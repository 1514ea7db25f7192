import { describe, expect, it } from 'vitest';
import { baseUrlFromPid, parseMasterState, parseMetricsSnapshot, parseRoles } from '../../../../src/collectors/mesos/index.js';

const NOW = Date.parse('2026-11-22T03:00:00.000Z');
const T = 'mesos-test';
const MB = 1024 * 1024;

describe('parseMetricsSnapshot: bad input', () => {
  const ctx = { target: T, nowMs: NOW, masterUrl: 'http://m:5050' };
  it('wrong types and "NaN" strings become absent fields plus one error each', () => {
    const r = parseMetricsSnapshot({ 'master/elected': 1, 'master/cpus_total': 'NaN', 'master/mem_total': 1024, 'master/mem_used': -5, 'master/tasks_running': null }, ctx);
    expect(r.value.doc!.mesos.cpus).toBeUndefined();
    expect(r.value.doc!.mesos.mem).toEqual({ total_bytes: 1024 * MB });
    expect(r.value.doc!.mesos.tasks).toBeUndefined();
    expect(r.errors.map((e) => [e.code, e.subject])).toEqual([
      ['RS_ERR_PARSE_SHAPE', 'master/cpus_total'],
      ['RS_ERR_PARSE_SHAPE', 'master/mem_used'],
    ]);
    expect(r.errors.every((e) => e.target === T)).toBe(true);
  });
  it('a non-elected master says so; a missing elected key is "unknown"', () => {
    expect(parseMetricsSnapshot({ 'master/elected': 0, 'master/cpus_total': 4 }, ctx).value.elected).toBe(false);
    expect(parseMetricsSnapshot({ 'master/cpus_total': 4 }, ctx).value.elected).toBeUndefined();
  });
  it('not an object (array, string, null): error, no document', () => {
    for (const body of [[1, 2], 'hello', null, 42]) {
      const r = parseMetricsSnapshot(body, ctx);
      expect(r.value.doc).toBeUndefined();
      expect(r.errors).toHaveLength(1);
    }
  });
  it('Infinity (from 1e999 in the JSON) is not a number for a document', () => {
    const r = parseMetricsSnapshot(JSON.parse('{"master/elected":1,"master/cpus_total":1e999}'), ctx);
    expect(r.value.doc!.mesos.cpus).toBeUndefined();
    expect(r.errors).toHaveLength(1);
  });
});

describe('parseMasterState: bad input', () => {
  it('agents and tasks without ids are errors; the rest is kept; resources as protobuf list summed per name', () => {
    const r = parseMasterState(
      {
        leader: 'master@h:5050',
        pid: 'master@other:5050',
        slaves: [
          { hostname: 'noid' },
          { id: 'S1', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'a' }, { name: 'cpus', type: 'SCALAR', scalar: { value: 2.5 }, role: '*' }, { name: 'mem', scalar: { value: 10 } }] },
          'garbage',
        ],
        frameworks: [
          { id: 'F1', tasks: [{ name: 'no id' }, { id: 'T1', slave_id: 'S1', resources: { cpus: 'two', mem: 64 } }] },
        ],
      },
      { target: T, nowMs: NOW },
    );
    expect(r.value.isLeader).toBe(false);
    expect(r.value.agents).toEqual([{ id: 'S1', resources: { cpus: 3.5, memBytes: 10 * MB } }]);
    expect(r.value.tasks.get('T1')!.request).toEqual({ memBytes: 64 * MB });
    expect(r.errors.map((e) => e.message)).toEqual([
      'slave without an id',
      'slave entry is not an object',
      'task without an id',
      'cpus is not a finite number (string "two")',
    ]);
  });
  it('HTML parsed into a string, or an unrelated object: one error, empty state', () => {
    expect(parseMasterState('<html>', { target: T, nowMs: NOW }).errors).toHaveLength(1);
    expect(parseMasterState({ hello: 1 }, { target: T, nowMs: NOW }).errors).toHaveLength(1);
  });
  it('the newest status with a container id wins', () => {
    const r = parseMasterState(
      {
        frameworks: [
          {
            id: 'F',
            tasks: [
              {
                id: 'T',
                statuses: [
                  { timestamp: 20, container_status: { container_id: { value: 'new' } } },
                  { timestamp: 10, container_status: { container_id: { value: 'old' } } },
                ],
              },
            ],
          },
        ],
      },
      { target: T, nowMs: NOW },
    );
    expect(r.value.tasks.get('T')!.containerId).toBe('new');
  });
});

describe('parseRoles: bad input', () => {
  it('1.x `allocated` is preferred to `resources`; a nameless role is an error', () => {
    const r = parseRoles({ roles: [{ name: 'ci', weight: 2, allocated: { cpus: 3, mem: 2048 }, resources: { cpus: 99 } }, { weight: 1 }] }, { target: T, nowMs: NOW });
    expect(r.value.map((d) => d.mesos.role)).toEqual([{ name: 'ci', weight: 2, allocated: { cpus: 3, mem_bytes: 2048 * MB } }]);
    expect(r.errors).toHaveLength(1);
    expect(parseRoles([], { target: T, nowMs: NOW }).errors).toHaveLength(1);
  });
});
describe('URLs from pids and templates', () => {
  it('baseUrlFromPid', () => {
    expect(baseUrlFromPid('slave(1)@10.0.2.121:5051')).toBe('http://10.0.2.121:5051');
    expect(baseUrlFromPid('master@[2001:db8::1]:5050', 'https')).toBe('https://[2001:db8::1]:5050');
    expect(baseUrlFromPid('no-at-sign')).toBeUndefined();
    expect(baseUrlFromPid('slave(1)@host')).toBeUndefined();
  });
});
