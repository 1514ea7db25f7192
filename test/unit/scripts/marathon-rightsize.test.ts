import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, RecommendationCache } from '../../../src/api/index.js';
import type { RecommendationDoc } from '../../../src/model/index.js';
import { run } from '../../../scripts/marathon-rightsize.js';

const MiB = 1024 * 1024;
const app = (key: string, cpu: number, memMiB: number, confidence: RecommendationDoc['confidence']): RecommendationDoc => ({
  '@timestamp': '2026-12-03T06:00:00.000Z',
  workload: { kind: 'marathon.app', key },
  current: { cpu_cores: 2, memory_bytes: 2048 * MiB },
  recommended: { cpu_cores: cpu, memory_bytes: memMiB * MiB },
  basis: { builds: 48, window_days: 7 },
  confidence,
  reasons: [],
  severity: 'warning',
});

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('scripts/marathon-rightsize', () => {
  it('puts each confident recommendation into its Marathon app (cpus, mem in MB) through the real API', async () => {
    const cache = new RecommendationCache({ load: () => Promise.resolve({ docs: [app('/team/web', 0.333, 300.2, 'high'), app('/team/batch', 1, 1024, 'low'), app('/db', 0.5, 512, 'medium')], skipped: 0 }) });
    await cache.refresh();
    const api = buildApp({ cache, staleAfterMs: 600_000, version: 'test' });
    closers.push(() => api.close());
    const puts: Array<{ url: string; body: unknown }> = [];
    const marathon = Fastify();
    marathon.put('/v2/apps/*', (req) => (puts.push({ url: req.url, body: req.body }), { version: '1', deploymentId: 'd' }));
    closers.push(() => marathon.close());
    const lines: string[] = [];
    const failed = await run({ rightsize: await api.listen({ host: '127.0.0.1', port: 0 }), marathon: await marathon.listen({ host: '127.0.0.1', port: 0 }), minConfidence: 'medium', dryRun: false, log: (l) => lines.push(l) });
    expect(failed).toBe(0);
    expect(puts.sort((a, b) => a.url.localeCompare(b.url))).toEqual([
      { url: '/v2/apps/db', body: { cpus: 0.5, mem: 512 } },
      { url: '/v2/apps/team/web', body: { cpus: 0.34, mem: 301 } },
    ]);
    expect(lines).toHaveLength(2);
  });
});
