import Docker from 'dockerode';
import { testDockerHost, testWorkloadImage } from './env.js';

export { pollUntil } from './poll.js';

export const MIB = 2 ** 20;

/** A dockerode client for the test engine (unix socket or tcp). */
export function testDockerClient(): Docker {
  const host = testDockerHost();
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port), protocol: 'http' });
}

export interface WorkloadSpec {
  readonly name: string;
  /** Arguments of the `workload` program, e.g. `['--cpu', '0.5', '--mem', '64m', '--duration', '120s']`. */
  readonly args: readonly string[];
  /** Run this command instead of `workload` (e.g. `['sleep', '3600']` for an idle container). */
  readonly cmd?: readonly string[];
  readonly cpus?: number;
  readonly memoryBytes?: number;
  readonly env?: readonly string[];
}

/** Starts and tracks workload containers; `removeAll()` in afterAll. */
export class WorkloadContainers {
  readonly docker = testDockerClient();
  private readonly _created: Docker.Container[] = [];
  constructor(private readonly _tag: string) {}

  async start(spec: WorkloadSpec): Promise<Docker.Container> {
    const container = await this.docker.createContainer({
      name: `${this._tag}-${spec.name}`,
      Image: testWorkloadImage(),
      Cmd: spec.cmd ? [...spec.cmd] : ['workload', '--quiet', ...spec.args],
      Env: [...(spec.env ?? [])],
      Labels: { 'rightsize.test': this._tag },
      HostConfig: {
        NetworkMode: 'none',
        ...(spec.cpus === undefined ? {} : { CpuPeriod: 100_000, CpuQuota: Math.round(spec.cpus * 100_000) }),
        ...(spec.memoryBytes === undefined ? {} : { Memory: spec.memoryBytes }),
      },
    });
    this._created.push(container);
    await container.start();
    return container;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this._created.map((c) => c.remove({ force: true }).catch(() => undefined)));
    this._created.length = 0;
  }
}

