import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityFacts, explainCapacity } from '../../../../src/alerts/index.js';
import { capacityEs } from '../../../../src/alerts/service/index.js';
import { indexName, installTemplates } from '../../../../src/store/index.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../../support/es.js';

/**
 * capacityEs on the real Elasticsearch: the leader's allocation, the latest reading per running
 * container, and the job of each. Mesos executor readings carry no Jenkins identity (the agent's
 * /monitor/statistics knows no job); the Docker reading of the same container does (the build's
 * JOB_NAME / BUILD_NUMBER), so the explanation can name the job either way.
 */

const client = testEsClient();
const prefix = uniquePrefix('alerts-capacity');
const NOW = Date.now();
const MiB = 1024 * 1024;

function executor(id: string, atMs: number, cores: number, jenkins?: Record<string, unknown>): Record<string, unknown> {
  return {
    '@timestamp': new Date(atMs).toISOString(),
    event: { dataset: 'mesos.executor', module: 'mesos' },
    container: { id, name: `mesos-${id}`, runtime: 'mesos' },
    mesos: { task: { id: `mesos-jenkins-${id}-linux` } },
    request: { cpu_cores: 1.9, memory_bytes: 704 * MiB },
    cpu: { cores },
    memory: { working_set_bytes: 100 * MiB },
    ...(jenkins ? { jenkins } : {}),
  };
}

function docker(id: string, name: string, atMs: number, jenkins: Record<string, unknown>): Record<string, unknown> {
  return {
    '@timestamp': new Date(atMs).toISOString(),
    event: { dataset: 'docker.container', module: 'docker' },
    container: { id, name, runtime: 'docker' },
    request: { cpu_cores: 2 },
    cpu: { cores: 0.31 },
    jenkins,
  };
}

beforeAll(async () => {
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const docs: Array<[string, Record<string, unknown>]> = [
    [indexName(prefix, 'cluster', NOW - 5_000), { '@timestamp': new Date(NOW - 5_000).toISOString(), event: { dataset: 'mesos.master' }, mesos: { master: { url: 'http://m:5050', elected: true }, cpus: { total: 8, used: 5.7, percent: 0.7125 } } }],
    // c1: an older and a newer executor reading (the newer counts); its Docker twin names the job.
    [indexName(prefix, 'containers', NOW - 20_000), executor('c1', NOW - 20_000, 1.5)],
    [indexName(prefix, 'containers', NOW - 10_000), executor('c1', NOW - 10_000, 0.3)],
    [indexName(prefix, 'containers', NOW - 10_000), docker('d0c1', 'mesos-c1', NOW - 10_000, { job: { name: 'team-a/api-tests' }, build: { number: 7 } })],
    // c2: no Docker reading, no identity.
    [indexName(prefix, 'containers', NOW - 10_000), executor('c2', NOW - 10_000, 0.2)],
    // c3: an executor reading that already names its job keeps it.
    [indexName(prefix, 'containers', NOW - 10_000), executor('c3', NOW - 10_000, 0.1, { job: { name: 'lint' }, build: { number: 3 } })],
    [indexName(prefix, 'containers', NOW - 10_000), docker('d0c3', 'mesos-c3', NOW - 10_000, { job: { name: 'other' }, build: { number: 99 } })],
    // A reading older than recentMs does not count.
    [indexName(prefix, 'containers', NOW - 300_000), executor('old', NOW - 300_000, 1)],
  ];
  await client.bulk({ refresh: true, operations: docs.flatMap(([index, doc]) => [{ create: { _index: index } }, doc]) });
});

afterAll(async () => {
  await dropPrefix(client, prefix);
  await client.close();
});

describe('capacityEs', () => {
  it('takes the leader’s allocation and the latest executor reading per container, naming jobs from the Docker reading of the same container', async () => {
    const input = await capacityEs(client, prefix, 'cpu', NOW, 120_000, 1000);
    expect(input.total).toBe(8);
    expect(input.allocated).toBe(5.7);
    const byUse = [...input.containers].sort((a, b) => (b.used ?? 0) - (a.used ?? 0));
    expect(byUse).toEqual([
      { job: 'team-a/api-tests', build: 7, requested: 1.9, used: 0.3 },
      { requested: 1.9, used: 0.2 },
      { job: 'lint', build: 3, requested: 1.9, used: 0.1 },
    ]);
    // 5.7 of 8 allocated (71 %), 0.6 used (8 %): reserved but idle; c2 has no job, so it is not named.
    expect(explainCapacity(capacityFacts(input))).toBe(
      'cluster CPU 71 % allocated, 8 % used by the running builds: reserved but idle; the 2 largest over-reservations: lint 1.8 cores (1 build, measured idle), team-a/api-tests 1.6 cores (1 build, measured idle).',
    );
  });
});
