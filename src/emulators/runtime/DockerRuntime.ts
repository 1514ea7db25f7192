import Docker from 'dockerode';
import type { Logger } from '../../util/index.js';
import type { BuildKey } from '../cluster/types.js';
import { readCgroupUsage, resolveCgroupPaths, type CgroupPaths } from './cgroups.js';
import { buildKeyString, type BuildLaunch, type ContainerUsage, type ExitListener, type Runtime } from './types.js';

const CFS_PERIOD_US = 100_000;

/** Label put on every container the emulator creates, so leftovers can be found and removed. */
export const EMULATOR_LABEL = 'io.rightsize.emulator';

export interface DockerRuntimeOptions {
  /** `unix:///path/docker.sock` or `tcp://host:port`. */
  readonly dockerHost: string;
  readonly onExit: ExitListener;
  readonly logger: Logger;
  /** How often running containers' stats are read. @defaultValue 1000 */
  readonly sampleIntervalMs?: number;
  /**
   * Where usage is read: `cgroup` = the container's cgroup files, as the Mesos agent reads them
   * (cheap; needs the engine on this host); `docker` = the Docker stats API; `auto` = cgroups
   * when readable, else Docker stats, per sample. @defaultValue 'auto'
   */
  readonly statsSource?: 'auto' | 'cgroup' | 'docker';
  /** Label value identifying this emulator instance. */
  readonly instanceId: string;
}

interface Live {
  readonly name: string;
  container?: Docker.Container;
  /** The container's cgroups, resolved from its init process right after the start. */
  cgroups?: CgroupPaths;
  latest?: ContainerUsage;
  done: boolean;
}

/** Builds a dockerode client from a DOCKER_HOST-style URL. */
export function dockerClient(dockerHost: string): Docker {
  if (dockerHost.startsWith('unix://')) return new Docker({ socketPath: dockerHost.slice('unix://'.length) });
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

/** True when an engine answers `/_ping` within `timeoutMs`. */
export async function dockerReachable(dockerHost: string, timeoutMs = 3000): Promise<boolean> {
  const docker = dockerClient(dockerHost);
  try {
    await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref())]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps one Docker stats record (cgroup v1 or v2) to Mesos `ResourceStatistics` units.
 * `usage_in_usermode`/`usage_in_kernelmode` are ns → `cpus_user|system_time_secs`;
 * `memory_stats.stats.rss` (v1) or `anon` (v2) → `mem_rss_bytes` (what the Mesos Docker
 * containerizer reads); `throttling_data` → `cpus_nr_periods|nr_throttled|throttled_time_secs`.
 * The timestamp is the daemon's `read` (when it read the cgroup), else `nowMs`: the time the
 * answer arrived lags the read by however long the daemon and the event loop took.
 */
export function usageFromDockerStats(stats: Docker.ContainerStats, nowMs: number): ContainerUsage | undefined {
  const cpu = stats.cpu_stats?.cpu_usage;
  const readMs = typeof stats.read === 'string' ? Date.parse(stats.read) : NaN;
  if (!cpu || typeof cpu.total_usage !== 'number' || cpu.total_usage === 0) return undefined;
  const mem = (stats.memory_stats?.stats ?? {}) as unknown as Record<string, number | undefined>;
  const rss = mem['rss'] ?? mem['total_rss'] ?? mem['anon'] ?? 0;
  const t = stats.cpu_stats.throttling_data ?? { periods: 0, throttled_periods: 0, throttled_time: 0 };
  return {
    timestampSec: (Number.isFinite(readMs) && readMs > 0 ? readMs : nowMs) / 1000,
    cpuUserSecs: (cpu.usage_in_usermode ?? 0) / 1e9,
    cpuSystemSecs: (cpu.usage_in_kernelmode ?? 0) / 1e9,
    rssBytes: rss,
    nrPeriods: t.periods,
    nrThrottled: t.throttled_periods,
    throttledSecs: t.throttled_time / 1e9,
  };
}

/**
 * Runs each build as a real container on a Docker engine (`mesos-<containerId>`, no network,
 * CFS quota / `Memory` = the task's limits incl. executor overhead), samples its stats while it
 * runs, reports exit code / OOM kill, and always removes it.
 */
export class DockerRuntime implements Runtime {
  readonly mode = 'docker' as const;
  private readonly _docker: Docker;
  private readonly _opts: DockerRuntimeOptions;
  private readonly _live = new Map<string, Live>();
  private readonly _final = new Map<string, ContainerUsage>();
  private readonly _timer: NodeJS.Timeout;
  private _sampling = false;
  private _shutdown = false;
  private readonly _pending = new Set<Promise<void>>();

  constructor(opts: DockerRuntimeOptions) {
    this._opts = opts;
    this._docker = dockerClient(opts.dockerHost);
    this._timer = setInterval(() => {
      // A slow round makes the next tick skip; errors are logged, never thrown from the timer.
      this._sampleAll().catch((err: unknown) => this._opts.logger.warn({ err }, 'stats sampling failed'));
    }, opts.sampleIntervalMs ?? 1000);
    this._timer.unref();
  }

  get docker(): Docker {
    return this._docker;
  }

  launch(spec: BuildLaunch): void {
    const key = buildKeyString(spec.key);
    const live: Live = { name: spec.containerName, done: false };
    this._live.set(key, live);
    const p: Promise<void> = this._run(spec, key, live)
      .catch((err: unknown) => this._opts.logger.error({ err, container: spec.containerName }, 'build runner failed'))
      .finally(() => this._pending.delete(p));
    this._pending.add(p);
  }

  private async _run(spec: BuildLaunch, key: string, live: Live): Promise<void> {
    let exitCode = 125;
    let oomKilled = false;
    try {
      const container = await this._docker.createContainer({
        name: spec.containerName,
        Image: spec.image,
        Cmd: ['/usr/local/bin/workload', ...spec.args],
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: { [EMULATOR_LABEL]: this._opts.instanceId },
        HostConfig: {
          // CFS quota as the Mesos cgroups isolator sets it (quota = cpus × period); dockerd
          // refuses NanoCpus above the host's CPU count, which a Mesos task may well ask for.
          CpuPeriod: CFS_PERIOD_US,
          CpuQuota: Math.max(1000, Math.round(spec.cpuLimit * CFS_PERIOD_US)),
          CpuShares: Math.max(2, Math.round(1024 * spec.cpuLimit)),
          Memory: spec.memLimitBytes,
          MemorySwap: spec.memLimitBytes,
          NetworkMode: 'none',
        },
      });
      live.container = container;
      if (this._shutdown) throw new Error('runtime is shutting down');
      await container.start();
      try {
        const started = await container.inspect();
        if (started.State.Pid > 0) {
          const paths = await resolveCgroupPaths(started.State.Pid);
          if (paths !== undefined) live.cgroups = paths;
        }
      } catch {
        // Exited already; Docker stats / the last sample stand.
      }
      const res = (await container.wait()) as { StatusCode: number };
      const info = await container.inspect();
      exitCode = res.StatusCode;
      oomKilled = info.State.OOMKilled || exitCode === 137;
    } catch (err) {
      // At shutdown the containers are removed under running builds: not a failure worth a warning.
      if (!this._shutdown) this._opts.logger.warn({ err, container: spec.containerName }, 'build container failed');
    } finally {
      live.done = true;
      if (live.latest) this._final.set(key, live.latest);
      this._live.delete(key);
      await this._remove(live);
    }
    if (!this._shutdown) this._opts.onExit(spec.key, { exitCode, oomKilled });
  }

  private async _remove(live: Live): Promise<void> {
    try {
      if (live.container) await live.container.remove({ force: true });
      else await this._docker.getContainer(live.name).remove({ force: true });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      // 404: already gone; 409: a removal is already in progress (shutdown raced the build's end).
      if (status !== 404 && status !== 409) this._opts.logger.warn({ err, container: live.name }, 'cannot remove container');
    }
  }

  private async _sampleAll(): Promise<void> {
    if (this._sampling || this._shutdown) return;
    this._sampling = true;
    try {
      await Promise.all(
        [...this._live.values()].map(async (live) => {
          if (!live.container || live.done) return;
          const u = await this._read(live);
          if (u && !live.done) live.latest = u;
        }),
      );
    } finally {
      this._sampling = false;
    }
  }

  private async _read(live: Live): Promise<ContainerUsage | undefined> {
    const source = this._opts.statsSource ?? 'auto';
    if (source !== 'docker' && live.cgroups !== undefined) {
      const u = readCgroupUsage(live.cgroups);
      if (u || source === 'cgroup') return u;
    }
    if (source === 'cgroup' || !live.container) return undefined;
    try {
      return usageFromDockerStats(await live.container.stats({ stream: false, 'one-shot': true }), Date.now());
    } catch {
      // The container may have just exited; its last sample stands.
      return undefined;
    }
  }

  /** Reads a build's container stats now (used by tests to compare against the agent). */
  async sampleNow(key: BuildKey): Promise<void> {
    const live = this._live.get(buildKeyString(key));
    if (!live?.container) return;
    const u = await this._read(live);
    if (u) live.latest = u;
  }

  usage(key: BuildKey): ContainerUsage | undefined {
    const k = buildKeyString(key);
    return this._live.get(k)?.latest ?? this._final.get(k);
  }

  release(key: BuildKey): void {
    this._final.delete(buildKeyString(key));
  }

  liveContainers(): string[] {
    return [...this._live.values()].map((l) => l.name);
  }

  async shutdown(): Promise<void> {
    if (this._shutdown) {
      this._opts.logger.debug('docker runtime already shut down');
      return;
    }
    this._shutdown = true;
    clearInterval(this._timer);
    await Promise.all([...this._live.values()].map((l) => this._remove(l)));
    await Promise.allSettled([...this._pending]);
    // Anything else this instance created (e.g. a create that raced the shutdown).
    try {
      const left = await this._docker.listContainers({ all: true, filters: { label: [`${EMULATOR_LABEL}=${this._opts.instanceId}`] } });
      await Promise.all(left.map((c) => this._docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    } catch (err) {
      this._opts.logger.warn({ err }, 'cannot list leftover containers');
    }
  }
}
