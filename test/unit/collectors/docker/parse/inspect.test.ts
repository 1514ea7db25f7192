/** `parseInspect`: limits, identity and labels from inspect. */
import { describe, expect, it } from 'vitest';
import { MAX_LABELS, MAX_LABEL_KEY_LENGTH, MAX_TEXT_LENGTH, mesosIdentityFromName, parseInspect, sanitizeLabels } from '../../../../../src/collectors/docker/index.js';
import { ID } from './fixtures.js';

describe('parseInspect', () => {
  const inspect = (hostConfig: Record<string, unknown>, config: Record<string, unknown> = {}, name = '/x'): ReturnType<typeof parseInspect> =>
    parseInspect({ Id: ID, Name: name, HostConfig: hostConfig, Config: config, State: { OOMKilled: false, StartedAt: '2026-11-22T03:00:00Z' } });

  it('CPU limit: NanoCpus, else CpuQuota/CpuPeriod (period 0 = 100,000 µs), else absent', () => {
    expect(inspect({ NanoCpus: 1_500_000_000, CpuQuota: 50_000, CpuPeriod: 100_000 })).toMatchObject({ value: { cpuLimitCores: 1.5 } });
    expect(inspect({ NanoCpus: 0, CpuQuota: 50_000, CpuPeriod: 200_000 })).toMatchObject({ value: { cpuLimitCores: 0.25 } });
    expect(inspect({ CpuQuota: 150_000, CpuPeriod: 0 })).toMatchObject({ value: { cpuLimitCores: 1.5 } });
    const none = inspect({ NanoCpus: 0, CpuQuota: -1, CpuPeriod: 0, CpuShares: 1024 });
    expect(none.value).toBeDefined();
    expect(none.value?.cpuLimitCores).toBeUndefined();
  });

  it('memory limit: Memory bytes; 0 → absent', () => {
    expect(inspect({ Memory: 256 * 2 ** 20 })).toMatchObject({ value: { memoryLimitBytes: 268_435_456 } });
    const none = inspect({ Memory: 0 });
    expect(none.value).toBeDefined();
    expect(none.value?.memoryLimitBytes).toBeUndefined();
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
      value: {
        mesos: { agent: { id: 'agent-S7' }, framework: { id: 'fw-0001' }, executor: { id: 'exec-1' }, task: { id: 'mesos-jenkins-1a2b3c4d-linux' }, container: { id: uuid } },
        jenkins: { url: 'https://ci.example.com/', node: { name: 'mesos-jenkins-1a2b3c4d-linux' }, label: 'linux', job: { name: 'team/app/main' }, build: { number: 118 } },
      },
    });
  });

  it('MESOS_AGENT_ID and MESOS_CONTAINER_NAME are read too; a non-integer BUILD_NUMBER is absent', () => {
    const uuid = '00000000-0000-4000-8000-000000000001';
    const r = inspect({}, { Env: [`MESOS_CONTAINER_NAME=mesos-${uuid}`, 'MESOS_AGENT_ID=S3', 'BUILD_NUMBER=12abc', 'JOB_NAME=x'] });
    expect(r).toMatchObject({ value: { mesos: { agent: { id: 'S3' }, container: { id: uuid } }, jenkins: { job: { name: 'x' } } } });
    expect(r.value).toBeDefined();
    expect(r.value?.jenkins?.build).toBeUndefined();
  });

  it('labels: dots kept (docs/data-model.md: one field per key), hostile keys and huge values capped, non-strings dropped', () => {
    const huge = 'v'.repeat(1_000_000);
    // parsed from JSON text, as the daemon's answer is: "__proto__" becomes an own key
    const raw: Record<string, unknown> = JSON.parse(
      `{"com.example.team":"ci","__proto__":"p","constructor":"c","...":"dots","":"empty","n":5,"big":"${huge}","${'k'.repeat(5000)}":"long-key"}`,
    );
    expect(Object.keys(raw)).toContain('__proto__');
    const labels = sanitizeLabels(raw)!;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype); // __proto__ did not replace the prototype
    expect(Object.keys(labels).sort()).toEqual(['__proto__', 'big', 'com.example.team', 'constructor', 'k'.repeat(MAX_LABEL_KEY_LENGTH)].sort());
    expect(labels['com.example.team']).toBe('ci');
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
    for (const raw of [null, [], 'x', 3, Buffer.from('x')]) expect(parseInspect(raw)).toMatchObject({ value: undefined, errors: [{ code: 'RS_ERR_PARSE_SHAPE' }] });
    expect(parseInspect({ message: 'No such container' })).toMatchObject({ value: undefined, errors: [{ code: 'RS_ERR_PARSE_SHAPE' }] });
    // Env and Labels of the wrong type are left out and counted, not fatal
    const wrong = parseInspect({ Id: ID, Config: { Env: 'A=B', Labels: ['x'] }, HostConfig: { Memory: '1g' } });
    expect(wrong.value).toEqual({ id: ID });
    expect(wrong.errors.map((e) => [e.code, e.subject])).toEqual([
      ['RS_ERR_PARSE_SHAPE', 'HostConfig.Memory'],
      ['RS_ERR_PARSE_SHAPE', 'Config.Env'],
      ['RS_ERR_PARSE_SHAPE', 'Config.Labels'],
    ]);
  });

  it('labels: `a` and `a.b` both kept (the mapping has subobjects: false); control characters → _; keys Elasticsearch cannot take as a field name dropped', () => {
    expect(sanitizeLabels({ a: '1', 'a.b': '2', 'com.docker.compose.project': 'ci', 'x\u0000y': '3', '.lead': 'x', 'trail.': 'x', 'a..b': 'x', '._.': 'x' })).toEqual({
      a: '1',
      'a.b': '2',
      'com.docker.compose.project': 'ci',
      x_y: '3',
    });
  });

  it('a CPU limit beyond what a host can have (NanoCpus 10^18 = 10^9 cores) is an RS_ERR_PARSE_RANGE error; the rest of the info is kept', () => {
    const r = inspect({ NanoCpus: 1e18, Memory: 2 ** 30 });
    expect(r.value).toMatchObject({ id: ID, name: 'x', memoryLimitBytes: 2 ** 30 });
    expect(r.value?.cpuLimitCores).toBeUndefined();
    expect(r.errors.map((e) => [e.code, e.subject])).toEqual([['RS_ERR_PARSE_RANGE', 'HostConfig.NanoCpus']]);
    // "no limit" (2^63 − 4096, the cgroup default) is not an error
    expect(inspect({ Memory: 2 ** 63 - 4096 }).errors).toEqual([]);
  });
});
