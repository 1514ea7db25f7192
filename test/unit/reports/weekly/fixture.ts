import type { BuildDoc } from '../../../../src/model/index.js';

const GiB = 1024 ** 3;
const H = 3_600_000;

/** A hand-written build: request, duration and usage chosen so the sums are easy to check by hand. */
export function build(o: {
  job: string;
  number: number;
  label?: string;
  startIso: string;
  hours: number;
  cpu: number;
  memGib: number;
  coreSeconds?: number;
  avgGib?: number;
  oom?: boolean;
  throttled?: number;
  waitMs?: number;
}): BuildDoc {
  const start = Date.parse(o.startIso);
  const end = start + o.hours * H;
  const avgCores = (o.coreSeconds ?? 0) / (o.hours * 3600);
  return {
    '@timestamp': new Date(end).toISOString(),
    jenkins: { url: 'http://jenkins', job: { name: o.job }, build: { number: o.number }, result: o.oom === true ? 'FAILURE' : 'SUCCESS', ...(o.label !== undefined ? { label: o.label } : {}) },
    build: { start, end, duration_ms: end - start },
    ...(o.waitMs !== undefined ? { queue: { wait_ms: o.waitMs } } : {}),
    request: { cpu_cores: o.cpu, memory_bytes: o.memGib * GiB },
    usage: {
      cpu: { avg_cores: avgCores, p50_cores: avgCores, p95_cores: avgCores * 1.2, max_cores: avgCores * 1.5, ...(o.coreSeconds !== undefined ? { core_seconds: o.coreSeconds } : {}), throttled_ratio: o.throttled ?? 0 },
      memory: { ...(o.avgGib !== undefined ? { avg_bytes: o.avgGib * GiB } : {}), peak_bytes: (o.avgGib ?? 1) * 1.5 * GiB },
      sample_count: 100,
      coverage: 0.99,
    },
    outcome: { oom_killed: o.oom === true },
  };
}
