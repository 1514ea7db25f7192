/** The `docker.container` documents: one per reading, one for an exit (pure). */
import type { ContainerDoc } from '../../../model/index.js';
import type { CpuResult } from './cpu.js';
import type { ContainerExit } from './events.js';
import { compact, type InspectInfo } from './inspect.js';
import type { ListedContainer } from './list.js';
import type { RunningStats } from './stats.js';

/** Everything {@link toContainerDoc} combines into one document. */
export interface ContainerDocInput {
  /** The container id (from the list; the stats body's `id` is not always present). */
  readonly containerId: string;
  readonly reading: RunningStats;
  readonly cpu: CpuResult;
  readonly inspect?: InspectInfo;
  readonly listed?: ListedContainer;
  /** When the reading was received, epoch ms on the collector's clock (becomes `@timestamp`). */
  readonly nowMs: number;
  /** The engine endpoint, already redacted. */
  readonly endpoint: string;
  /** The engine's host name (`GET /info` → `Name`), when known. */
  readonly hostName?: string;
  /**
   * `max_usage` of the previous reading of the same run (undefined on a first reading or after
   * a reset). `memory.peak_bytes` is the peak *since the previous sample*: the cgroup v1
   * `max_usage` is a high-water mark since the container started, so it is that peak only when it
   * rose since the previous reading (a new maximum was set in the interval); otherwise the
   * interval's peak is unknown and `peak_bytes` is absent. On a first reading the interval is
   * the whole run so far and `max_usage` is reported as is.
   */
  readonly previousMaxUsageBytes?: number;
}

function peakSincePrevious(maxUsage: number | undefined, previousMax: number | undefined): number | undefined {
  if (maxUsage === undefined || previousMax === undefined) return maxUsage;
  return maxUsage > previousMax ? maxUsage : undefined;
}

function finite(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * Builds the `docker.container` {@link ContainerDoc}. `@timestamp` is the collector's clock at
 * receipt so every source shares one clock; the CPU window (`cpu.interval_ms`) is the daemon's
 * own Δ`read`. Limits come from inspect when known (authoritative: what the container was
 * started with); without inspect, the memory limit falls back to the stats `limit`. Every
 * number is finite or absent.
 *
 * MUST be pure.
 */
export function toContainerDoc(input: ContainerDocInput): ContainerDoc {
  const { reading, cpu, inspect, listed } = input;
  const name = inspect?.name ?? listed?.name ?? reading.name;
  const imageName = inspect?.imageName ?? listed?.imageName;
  const mem = reading.memory;
  const memoryLimit = inspect !== undefined ? inspect.memoryLimitBytes : mem?.limitBytes;

  const cpuPart = compact({
    cores: cpu.ok ? finite(cpu.cores) : undefined,
    limit_cores: finite(inspect?.cpuLimitCores),
    interval_ms: cpu.ok ? roundMs(finite(cpu.intervalMs)) : undefined,
    // cores × window: what a build summary sums (Elasticsearch here has no scripts to multiply).
    core_seconds: cpu.ok ? finite((cpu.cores * cpu.intervalMs) / 1000) : undefined,
    throttled: cpu.ok && cpu.throttled ? compact({ periods: finite(cpu.throttled.periods), time_ms: roundMs(finite(cpu.throttled.timeMs)) }) : undefined,
  });
  const memoryPart = compact({
    working_set_bytes: finite(mem?.workingSetBytes),
    rss_bytes: finite(mem?.rssBytes),
    usage_bytes: finite(mem?.usageBytes),
    limit_bytes: finite(memoryLimit),
    peak_bytes: finite(peakSincePrevious(mem?.peakBytes, input.previousMaxUsageBytes)),
  });
  const processCount = finite(reading.processCount);

  return {
    ...containerHead(input.nowMs, { ...input, ...(name !== undefined && { name }), ...(imageName !== undefined && { imageName }) }),
    ...(cpuPart !== undefined && { cpu: cpuPart }),
    ...(memoryPart !== undefined && { memory: memoryPart }),
    ...(processCount !== undefined && { process: { count: processCount } }),
  };
}

/**
 * The one final document of a container that exited: identity as on its readings (from the
 * inspect taken while it ran), `@timestamp` = when it ended, `container.exit_code` and
 * `container.oom_killed`; no CPU or memory figures (nothing was measured). A build summary reads
 * the OOM kill from it (Mesos' `/master/state` does not carry the status reason).
 */
export function toExitDoc(input: {
  readonly containerId: string;
  readonly exit: ContainerExit;
  readonly endpoint: string;
  readonly inspect?: InspectInfo;
  readonly name?: string;
  readonly imageName?: string;
  readonly hostName?: string;
}): ContainerDoc {
  const { inspect, exit } = input;
  const name = inspect?.name ?? input.name;
  const imageName = inspect?.imageName ?? input.imageName;
  const head = containerHead(exit.atMs, { ...input, ...(name !== undefined && { name }), ...(imageName !== undefined && { imageName }) });
  return { ...head, container: { ...head.container, ...(exit.exitCode !== undefined && { exit_code: exit.exitCode }), oom_killed: exit.oomKilled } };
}

/** What every Docker container document starts with: time, dataset, host, source, container identity, Mesos and Jenkins identity. */
function containerHead(
  atMs: number,
  input: {
    readonly containerId: string;
    readonly endpoint: string;
    readonly hostName?: string;
    readonly name?: string;
    readonly imageName?: string;
    readonly inspect?: InspectInfo;
  },
): ContainerDoc {
  const { inspect, name, imageName } = input;
  return {
    '@timestamp': new Date(atMs).toISOString(),
    event: { dataset: 'docker.container', module: 'docker' },
    ...(input.hostName !== undefined && input.hostName !== '' && { host: { name: input.hostName } }),
    service: { address: input.endpoint },
    container: {
      id: input.containerId,
      ...(name !== undefined && { name }),
      ...(imageName !== undefined && { image: { name: imageName } }),
      runtime: 'docker',
      ...(inspect?.labels !== undefined && { labels: inspect.labels }),
    },
    ...(inspect?.mesos !== undefined && { mesos: inspect.mesos }),
    ...(inspect?.jenkins !== undefined && { jenkins: inspect.jenkins }),
  };
}

/** `*_ms` fields are mapped as `long`: print them as Elasticsearch will store them. */
function roundMs(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms);
}
