import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { randomInt, randomUUID } from 'node:crypto';
import { systemClock, silentLogger, type Clock, type Logger } from '../util/index.js';
import { EmulatedCluster } from './cluster/EmulatedCluster.js';
import { JsonServer } from './http.js';
import { ASK_STATUS_PATH, jenkinsHandler } from './jenkins/server.js';
import { agentHandler, masterHandler, type KillServer } from './mesos/servers.js';
import type { Endpoints, SystemInfo } from './mesos/render.js';
import { DockerRuntime, dockerClient, dockerReachable } from './runtime/DockerRuntime.js';
import { ModelRuntime } from './runtime/ModelRuntime.js';
import type { Runtime, UsageMode } from './runtime/types.js';
import type { Scenario } from './scenario/schema.js';
import type { AskRightsizeOptions, LabelAsker } from './jenkins/askRightsize.js';

export interface StartOptions {
  /** `docker` runs builds as containers (falls back to `model` when no engine answers). @defaultValue 'model' */
  readonly usage?: UsageMode;
  /** First port; masters, agents and Jenkins take consecutive ports. 0 = free ports. @defaultValue 0 */
  readonly portBase?: number;
  /** @defaultValue '127.0.0.1' */
  readonly host?: string;
  readonly seed?: number;
  /** Simulated seconds per real second (model mode only). @defaultValue 1 */
  readonly speed?: number;
  /** Docker engine (`unix://…` or `tcp://…`). @defaultValue $DOCKER_HOST or unix:///var/run/docker.sock */
  readonly dockerHost?: string;
  /** A clock the caller moves (tests). When given, no timer runs: call `tick()` yourself. */
  readonly clock?: Clock;
  /** How often the real-time driver advances the simulation. @defaultValue 250 */
  readonly tickMs?: number;
  readonly logger?: Logger;
  /** How often Docker stats are sampled. @defaultValue 1000 */
  readonly sampleIntervalMs?: number;
  /**
   * Seed of ids and container names. Defaults to a random one, so that several emulators can
   * share a Docker engine; pass the scenario seed to make ids reproducible too.
   */
  readonly idSeed?: number;
  /**
   * The rightsize API that jobs with `askRightsize` ask for their label before each build
   * (`rightsize emulate --ask-rightsize`). Absent: every build runs on its job's label.
   */
  readonly askRightsize?: AskRightsizeOptions;
  /** Replaces the HTTP asker (tests); implies asking. */
  readonly labelAsker?: LabelAsker;
}

export interface EmulatorUrls {
  readonly mode: UsageMode;
  readonly masters: string[];
  readonly agents: string[];
  readonly jenkins: { readonly url: string; readonly user: string; readonly token: string };
  readonly dockerHost?: string;
  /** With `askRightsize`: the API asked, and the emulator's count of the answers (`GET`, JSON, behind Jenkins' auth). */
  readonly askRightsize?: { readonly url: string; readonly status: string };
}

export interface RunningEmulator {
  readonly urls: EmulatorUrls;
  readonly cluster: EmulatedCluster;
  /** Why the requested mode was not used, if it was not. */
  readonly fallbackReason?: string;
  /** Advances the simulation now (also done by the driver timer). */
  tick(): void;
  /** Triggers a leader failover; returns the new leader's index. */
  failover(to?: number): number;
  /**
   * Kills master or agent servers as a crash would (connections refused from then on; a killed
   * leader fails over to a live master first). Undefined when done, else why not.
   */
  kill: KillServer;
  /** Stops servers and builds, removes containers. Idempotent. */
  stop(): Promise<void>;
}

/** A clock running `speed` times faster than the wall clock from the moment it is made. */
export function scaledClock(speed: number): Clock {
  const t0 = Date.now();
  return { nowMs: () => Math.round(t0 + (Date.now() - t0) * speed) };
}

async function missingImages(dockerHost: string, images: string[]): Promise<string[]> {
  const docker = dockerClient(dockerHost);
  const missing: string[] = [];
  for (const image of images) {
    try {
      await docker.getImage(image).inspect();
    } catch {
      missing.push(image);
    }
  }
  return missing;
}

function systemInfo(): SystemInfo {
  const [l1, l5, l15] = loadavg() as [number, number, number];
  return { cpusTotal: cpus().length, load: [l1, l5, l15], memTotalBytes: totalmem(), memFreeBytes: freemem() };
}

/**
 * Starts an emulated Jenkins-on-Mesos cluster: `scenario.mesos.masters` Mesos masters, one HTTP
 * server per agent, and a Jenkins, all on `host`. In-process API for tests and `rightsize emulate`.
 */
export async function startEmulatedCluster(scenario: Scenario, options: StartOptions = {}): Promise<RunningEmulator> {
  const logger = options.logger ?? silentLogger();
  const host = options.host ?? '127.0.0.1';
  let mode: UsageMode = options.usage ?? 'model';
  let fallbackReason: string | undefined;
  const dockerHost = options.dockerHost ?? process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  if (mode === 'docker' && !(await dockerReachable(dockerHost))) {
    fallbackReason = `no Docker engine answers at ${dockerHost}; usage is modelled`;
  } else if (mode === 'docker') {
    const appImages = (scenario.marathonApps ?? []).length > 0 ? ['rightsize/workload:latest'] : [];
    const missing = await missingImages(dockerHost, [...new Set([...scenario.labels.map((l) => l.dockerImage), ...appImages])]);
    if (missing.length > 0) fallbackReason = `image(s) ${missing.join(', ')} not found on ${dockerHost} (npm run docker:start builds rightsize/workload); usage is modelled`;
  }
  if (fallbackReason !== undefined) {
    logger.warn({ dockerHost }, fallbackReason);
    mode = 'model';
  }
  let speed = options.speed ?? 1;
  if (mode === 'docker' && speed !== 1) {
    logger.warn({ speed }, 'containers run in real time: --speed is ignored in docker mode');
    speed = 1;
  }
  const clock = options.clock ?? (speed === 1 ? systemClock : scaledClock(speed));
  const sink: { cluster?: EmulatedCluster } = {};
  const runtime: Runtime =
    mode === 'docker'
      ? new DockerRuntime({
          dockerHost,
          logger,
          instanceId: randomUUID(),
          onExit: (key, exit) => sink.cluster?.reportExit(key, exit.exitCode, exit.oomKilled),
          ...(options.sampleIntervalMs === undefined ? {} : { sampleIntervalMs: options.sampleIntervalMs }),
        })
      : new ModelRuntime(clock);
  const idSeed = options.idSeed ?? randomInt(0, 2 ** 31 - 1);
  const c = new EmulatedCluster({
    scenario,
    clock,
    runtime,
    logger,
    idSeed,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.askRightsize === undefined ? {} : { askRightsize: options.askRightsize }),
    ...(options.labelAsker === undefined ? {} : { labelAsker: options.labelAsker }),
  });
  sink.cluster = c;

  const base = options.portBase ?? 0;
  const next = (i: number) => (base === 0 ? 0 : base + i);
  const ep: { masters: Array<{ host: string; port: number }>; agents: Array<{ host: string; port: number }> } = { masters: [], agents: [] };
  const endpoints: Endpoints = ep;
  const servers: JsonServer[] = [];
  const view = { cluster: c, rootUrl: '' };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    await Promise.all(servers.map((s) => s.close()));
    await c.shutdown();
  };
  const masterServers: JsonServer[] = [];
  const agentServers: JsonServer[] = [];
  const dead = { masters: new Set<number>(), agents: new Set<number>() };
  const kill: KillServer = ({ master, agent }) => {
    const valid = (n: number | undefined, of: readonly unknown[]) => n === undefined || (Number.isInteger(n) && n >= 0 && n < of.length);
    if (!valid(master, masterServers)) return `no master ${master}`;
    if (!valid(agent, agentServers)) return `no agent ${agent}`;
    if (master === undefined && agent === undefined) return 'say ?master=N or ?agent=N';
    if (master !== undefined) {
      const alive = masterServers.map((_, i) => i).filter((i) => i !== master && !dead.masters.has(i));
      if (alive.length === 0) return 'the last live master cannot be killed';
      if (c.engine.leader === master) {
        logger.info({ master, leader: alive[0] }, 'emulator: leader killed, failing over');
        c.engine.failover(alive[0]);
        c.tick();
      }
      dead.masters.add(master);
      // After the answer to this request has gone out.
      setImmediate(() => void masterServers[master]!.close());
    }
    if (agent !== undefined) {
      dead.agents.add(agent);
      logger.info({ agent }, 'emulator: agent killed');
      setImmediate(() => void agentServers[agent]!.close());
    }
    return undefined;
  };
  try {
    let i = 0;
    for (let m = 0; m < c.engine.masters.length; m++) {
      const s = new JsonServer(masterHandler(c, endpoints, m, systemInfo, () => c.tick(), kill), logger);
      servers.push(s);
      masterServers.push(s);
      ep.masters.push({ host, port: await s.listen(next(i++), host) });
    }
    for (let a = 0; a < c.engine.agents.length; a++) {
      const s = new JsonServer(agentHandler(c, endpoints, a, systemInfo), logger);
      servers.push(s);
      agentServers.push(s);
      ep.agents.push({ host, port: await s.listen(next(i++), host) });
    }
    const auth = { user: scenario.jenkins.user, token: scenario.jenkins.token };
    const js = new JsonServer(jenkinsHandler(() => view, auth, scenario.jenkins.version), logger);
    servers.push(js);
    const jport = await js.listen(next(i++), host);
    view.rootUrl = `http://${host}:${jport}/`;
    c.jenkinsUrl = view.rootUrl;
  } catch (err) {
    await stop();
    throw err;
  }

  const tick = () => {
    if (stopped) return;
    try {
      c.tick();
    } catch (err) {
      // A bug in one tick must not take the emulator (and its containers' cleanup) down.
      logger.error({ err }, 'emulator tick failed');
    }
  };
  tick();
  if (!options.clock) {
    timer = setInterval(tick, options.tickMs ?? 250);
    timer.unref();
  }
  const urls: EmulatorUrls = {
    mode,
    masters: ep.masters.map((m) => `http://${m.host}:${m.port}`),
    agents: ep.agents.map((a) => `http://${a.host}:${a.port}`),
    jenkins: { url: view.rootUrl, user: scenario.jenkins.user, token: scenario.jenkins.token },
    ...(mode === 'docker' ? { dockerHost } : {}),
    ...(options.askRightsize === undefined ? {} : { askRightsize: { url: options.askRightsize.url, status: `${view.rootUrl}${ASK_STATUS_PATH}` } }),
  };
  return {
    urls,
    cluster: c,
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
    tick,
    failover: (to?: number) => {
      const leader = c.engine.failover(to);
      c.tick();
      return leader;
    },
    kill,
    stop,
  };
}
