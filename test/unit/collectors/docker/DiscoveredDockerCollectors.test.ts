import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscoveredDockerCollectors } from '../../../../src/collectors/docker/index.js';
import { FakeEngine } from './fakeEngine.js';

const never = new AbortController().signal;
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('DiscoveredDockerCollectors', () => {
  let e1: FakeEngine;
  let e2: FakeEngine;
  let discovered: string[];
  let collectors: DiscoveredDockerCollectors;

  beforeEach(async () => {
    e1 = new FakeEngine();
    e2 = new FakeEngine();
    e1.add({ id: A, name: 'on-agent-1', totalUsageNs: 0, read: '2026-11-22T03:00:00Z' });
    e2.add({ id: B, name: 'on-agent-2', totalUsageNs: 0, read: '2026-11-22T03:00:00Z' });
    await e1.start();
    await e2.start();
    discovered = [];
    collectors = new DiscoveredDockerCollectors(() => discovered, { timeoutMs: 2000 }, 'tcp://{hostname}:2375');
  });

  afterEach(async () => {
    await collectors.shutdown();
    await e1.stop();
    await e2.stop();
  });

  const ids = (r: Awaited<ReturnType<DiscoveredDockerCollectors['collect']>>): string[] =>
    r.samples.map((s) => (s.kind === 'container' ? s.doc.container.id : '')).sort();

  it('reports no engine yet before the leader state names any agent', async () => {
    const r = await collectors.collect(never);
    expect(r.samples).toEqual([]);
    expect(r.skipped).toEqual({ no_discovered_engine: 1 });
  });

  it('follows the discovered engines as agents join and leave', async () => {
    discovered = [e1.url];
    expect(ids(await collectors.collect(never))).toEqual([A]);
    discovered = [e1.url, e2.url];
    expect(ids(await collectors.collect(never))).toEqual([A, B]);
    expect(collectors.endpoints.sort()).toEqual([e1.url, e2.url].sort());
    discovered = [e2.url];
    expect(ids(await collectors.collect(never))).toEqual([B]);
    expect(collectors.endpoints).toEqual([e2.url]);
  });

  it('one dead engine is one error entry; the others are still collected', async () => {
    discovered = [e1.url, 'tcp://127.0.0.1:1'];
    const r = await collectors.collect(never);
    expect(ids(r)).toEqual([A]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code: 'RS_ERR_DOCKER_API', subject: 'tcp://127.0.0.1:1' });
  });

  it('skips engines that are also configured statically', async () => {
    const c = new DiscoveredDockerCollectors(() => [e1.url, e2.url], { timeoutMs: 2000 }, 'tcp://{hostname}:2375', new Set([e1.url]));
    expect(ids(await c.collect(never))).toEqual([B]);
    await c.shutdown();
  });
});
