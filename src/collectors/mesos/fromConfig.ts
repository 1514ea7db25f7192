import type { Config } from '../../config/index.js';
import type { Clock } from '../../util/clock.js';
import type { TlsOptions } from '../tls.js';
import { MesosAgentCollector } from './MesosAgentCollector.js';
import { MesosMasterCollector } from './MesosMasterCollector.js';
import { dockerEndpointsFromState } from '../docker/discovery.js';
import { agentUrlsFromState } from './parseMaster.js';

/** The Mesos collectors a configuration asks for, wired together. */
export interface MesosCollectors {
  /** Present when `mesos.masters` is not empty. */
  readonly master?: MesosMasterCollector;
  /** Present when agents are configured, or can be discovered from the masters. */
  readonly agents?: MesosAgentCollector;
  /**
   * Docker endpoints of the agents the leader knows, from `mesos.dockerHostTemplate`
   * (e.g. `tcp://{hostname}:2375`); empty without a template or before the first master poll.
   */
  dockerEndpoints(): string[];
}

/**
 * Builds the Mesos collectors from `mesos.*` and `collect.maxResponseBytes`. With no
 * `mesos.agents`, the agent collector polls the agents of the leader's last state (the master
 * collector must then be run too, and first). `deps.tls` (CA file, client certificate) applies
 * to https master and agent URLs; the config has no `mesos.tls` key yet.
 */
export function mesosCollectorsFromConfig(config: Config, deps: { readonly clock?: Clock; readonly tls?: TlsOptions } = {}): MesosCollectors {
  const m = config.mesos;
  const common = {
    timeoutMs: m.timeoutMs,
    maxResponseBytes: config.collect.maxResponseBytes,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.tls ? { tls: deps.tls } : {}),
  };
  const master = m.masters.length > 0 ? new MesosMasterCollector({ masters: m.masters, ...(m.cluster !== undefined ? { cluster: m.cluster } : {}), ...common }) : undefined;
  const masterTasks = master !== undefined ? { masterTasks: () => master.latestState()?.tasks } : {};
  const agents =
    m.agents.length > 0
      ? new MesosAgentCollector({ agents: m.agents, ...masterTasks, ...common })
      : master !== undefined
        ? new MesosAgentCollector({
            ...masterTasks,
            discover: () => {
              const state = master.latestState();
              return state === undefined ? undefined : agentUrlsFromState(state);
            },
            ...common,
          })
        : undefined;
  return {
    ...(master ? { master } : {}),
    ...(agents ? { agents } : {}),
    dockerEndpoints: () => {
      const state = master?.latestState();
      return m.dockerHostTemplate === undefined || state === undefined ? [] : dockerEndpointsFromState(state, m.dockerHostTemplate);
    },
  };
}
