/**
 * Issue 2's thin slice end to end: a real container → DockerCollector → runner →
 * ElasticsearchSink → the real Elasticsearch, and the CLI's `collect --once --print`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorFromEndpoint } from '../../../src/collectors/docker/index.js';
import { CollectorRunner } from '../../../src/scheduler/index.js';
import type { ContainerDoc } from '../../../src/model/index.js';
import { ElasticsearchSink, installTemplates } from '../../../src/store/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MIB, pollUntil, WorkloadContainers } from '../../support/docker.js';
import { REPO_ROOT, testDockerHost } from '../../support/env.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';

const exec = promisify(execFile);
const es = testEsClient();
const prefix = uniquePrefix('e2e');
const containers = new WorkloadContainers(prefix);

describe('Docker → Elasticsearch', () => {
  let runner: CollectorRunner | undefined;
  let sink: ElasticsearchSink | undefined;

  beforeAll(async () => {
    await installTemplates(es, { prefix, shards: 1, replicas: 0 });
  });

  afterAll(async () => {
    await runner?.shutdown();
    await sink?.shutdown();
    await containers.removeAll();
    await dropPrefix(es, prefix);
    await es.close();
  });

  it('measures a container burning 0.5 of 1 CPU at 0.5 ± 0.1 cores over 3 consecutive samples, 64 MiB ± 15 %, and indexes data-model documents', async () => {
    const c = await containers.start({
      name: 'half-core',
      args: ['--cpu', '0.5', '--mem', '64m', '--duration', '180s'],
      cpus: 1,
      memoryBytes: 256 * MIB,
      env: ['MESOS_TASK_ID=mesos-jenkins-0123456789abcdef0123456789abcdef-linux', 'JOB_NAME=team/app', 'BUILD_NUMBER=42', 'NODE_NAME=mesos-jenkins-0123456789abcdef0123456789abcdef-linux'],
    });
    sink = new ElasticsearchSink({
      client: es,
      prefix,
      bulk: { flushBytes: 1_000_000, flushIntervalMs: 200, concurrency: 1, retries: 3, retryBackoffMs: 100, bufferMaxDocs: 10_000 },
    });
    runner = new CollectorRunner({
      targets: [{ collector: collectorFromEndpoint(testDockerHost(), { timeoutMs: 10_000 }), intervalMs: 2_000, timeoutMs: 2_000 }],
      sink,
      logger: silentLogger(),
    });
    runner.start();

    // Wait for three consecutive CPU figures in range after the first one (which may include start-up).
    let seen: number[] = [];
    const docs = await pollUntil('3 consecutive samples at 0.5 ± 0.1 cores in Elasticsearch', 90_000, async () => {
      await es.indices.refresh({ index: `${prefix}-containers-*` });
      const res = await es.search<ContainerDoc>({
        index: `${prefix}-containers-*`,
        query: { bool: { filter: [{ term: { 'container.id': c.id } }, { exists: { field: 'cpu.cores' } }] } },
        sort: [{ '@timestamp': 'asc' }],
        size: 100,
      });
      const hits = res.hits.hits.map((h) => h._source!).slice(1);
      seen = hits.map((d) => Number(d.cpu!.cores!.toFixed(3)));
      for (let i = 0; i + 3 <= hits.length; i++) {
        const window = hits.slice(i, i + 3);
        if (window.every((d) => Math.abs(d.cpu!.cores! - 0.5) <= 0.1)) return window;
      }
      return undefined;
    }, 1_000).catch((err: Error) => {
      throw new Error(`${err.message}; cores seen: ${seen.join(', ')}; runner: ${JSON.stringify(runner?.stats())}`);
    });

    for (const d of docs) {
      expect(d.event.dataset).toBe('docker.container');
      expect(d.cpu?.limit_cores).toBe(1);
      expect(d.memory?.limit_bytes).toBe(256 * MIB);
      expect(Math.abs(d.memory!.working_set_bytes! - 64 * MIB) / (64 * MIB)).toBeLessThanOrEqual(0.15);
      expect(d.container.name).toBe(`${prefix}-half-core`);
      expect(d.mesos?.task?.id).toBe('mesos-jenkins-0123456789abcdef0123456789abcdef-linux');
      expect(d.jenkins?.job?.name).toBe('team/app');
      expect(d.jenkins?.build?.number).toBe(42);
      expect(Number.isNaN(Date.parse(d['@timestamp']))).toBe(false);
    }

    // The index got the template's mapping, not dynamic guesses.
    const mapping = await es.indices.getMapping({ index: `${prefix}-containers-*` });
    const props = Object.values(mapping)[0]!.mappings.properties!;
    const field = (path: string): unknown =>
      path.split('.').reduce<unknown>((node, key) => (node as { properties?: Record<string, unknown> })?.properties?.[key] ?? (node as Record<string, unknown>)?.[key], { properties: props });
    expect((field('@timestamp') as { type: string }).type).toBe('date');
    expect(['double', 'float', 'scaled_float']).toContain((field('cpu.cores') as { type: string }).type);
    expect((field('memory.working_set_bytes') as { type: string }).type).toBe('long');
    expect((field('container.id') as { type: string }).type).toBe('keyword');
    expect(runner.stats()[0]!.failedPolls).toBe(0);
  });

  it('`rightsize collect --once --print` prints one NDJSON document per running container, with CPU from two readings', async () => {
    const c = await containers.start({ name: 'print', args: ['--cpu', '0.25', '--mem', '32m', '--duration', '120s'], cpus: 1, memoryBytes: 128 * MIB });
    const { stdout, stderr } = await exec('node', [join(REPO_ROOT, 'bin', 'rightsize.js'), 'collect', '--once', '--print', '--docker-host', testDockerHost(), '--sample-ms', '1500'], {
      env: { ...process.env, RIGHTSIZE_CONFIG: '', RIGHTSIZE_LOG_LEVEL: 'warn' },
      cwd: REPO_ROOT,
    });
    const docs = stdout.trim().split('\n').map((l) => JSON.parse(l) as ContainerDoc);
    const mine = docs.find((d) => d.container.id === c.id);
    expect(mine, `stderr: ${stderr}`).toBeDefined();
    expect(mine!.cpu?.interval_ms).toBeGreaterThan(1000);
    expect(mine!.cpu?.cores).toBeGreaterThan(0.1);
    expect(mine!.cpu?.cores).toBeLessThan(0.4);
    expect(stderr).toMatch(/documents/);
  });
});
