import type { CollectError, CollectionResult, Sample } from '../../model/index.js';
import { redactUrl, stripCredentials } from '../../errors/index.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { HttpJsonClient } from '../http/HttpJsonClient.js';
import type { TlsOptions } from '../tls.js';
import { collectErrorFrom, failedPoll, getFirstFound, joinUrl, mapLimit, mergeCounts } from '../http/util.js';
import type { Collector } from '../types.js';
import { containerDocFromReading, parseAgentState, parseAgentStatistics } from './parseAgent.js';
import type { AgentStateInfo, ExecutorStatistics, MesosTaskInfo } from './types.js';

/** Options of {@link MesosAgentCollector}. */
export interface MesosAgentCollectorOptions {
  /** Agent base URLs (`http://a1:5051`). When empty, {@link discover} supplies them. */
  readonly agents?: readonly string[];
  /** Agents to poll when none are configured, e.g. from the leading master's state. */
  readonly discover?: () => readonly string[] | undefined;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly tls?: TlsOptions;
  readonly clock?: Clock;
  readonly client?: HttpJsonClient;
  /** Agents polled at once. @defaultValue 8 */
  readonly concurrency?: number;
  /**
   * The leader's task index (`MesosMasterCollector.latestState().tasks`), consulted for a task
   * the agent's own `/state` does not list: gives `request.*` and `marathon.app.id`.
   */
  readonly masterTasks?: () => ReadonlyMap<string, MesosTaskInfo> | undefined;
  /** `monitor` reads `/monitor/statistics`; `containers` reads `/containers` (adds container ids). @defaultValue 'monitor' */
  readonly statisticsEndpoint?: 'monitor' | 'containers';
}

interface Previous {
  readonly stats: ExecutorStatistics;
  readonly containerId?: string;
}

/**
 * Reads executor usage from Mesos agents: per agent per poll, `/state` (agent id, hostname,
 * executor → container and task ids) and `/monitor/statistics`, giving one `mesos.executor`
 * container document per executor (with the task's `request.*` and, for Marathon tasks,
 * `marathon.app.id`, from the agent's task list or else {@link MesosAgentCollectorOptions.masterTasks}). `cpu.cores` needs the previous reading of the same executor
 * (kept here, per agent URL + framework + executor; a new container id starts afresh), so the
 * first poll yields documents without it (`skipped.first_reading`).
 *
 * A failing or garbled agent is an error for that agent only; the others are still collected.
 * Without agent `/state` the documents lack the task and container join (`skipped.no_agent_state`).
 */
export class MesosAgentCollector implements Collector {
  readonly target: string;
  private readonly _opts: MesosAgentCollectorOptions;
  private readonly _client: HttpJsonClient;
  private readonly _ownsClient: boolean;
  private readonly _clock: Clock;
  private readonly _prev = new Map<string, Map<string, Previous>>();
  private readonly _states = new Map<string, AgentStateInfo>();
  /** Which legacy path (`/state.json`, …) each agent answered on. */
  private readonly _paths = new Map<string, string>();

  constructor(options: MesosAgentCollectorOptions) {
    this._opts = options;
    this._clock = options.clock ?? systemClock;
    this._ownsClient = options.client === undefined;
    this._client =
      options.client ??
      new HttpJsonClient({ timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes, ...(options.tls ? { tls: options.tls } : {}) });
    const n = options.agents?.length ?? 0;
    this.target = n > 0 ? `mesos-agents ${options.agents!.map((a) => redactUrl(a)).join(',')}` : 'mesos-agents (discovered)';
  }

  /** The last `/state` of each agent (hostname for Docker endpoint templates, tasks for the join). */
  agentStates(): ReadonlyMap<string, AgentStateInfo> {
    return this._states;
  }

  async collect(signal: AbortSignal): Promise<CollectionResult> {
    const configured = this._opts.agents ?? [];
    const urls = configured.length > 0 ? configured : (this._opts.discover?.() ?? []);
    if (urls.length === 0) return { samples: [], errors: [], skipped: { no_agents: 1 } };
    const results = await mapLimit(urls, this._opts.concurrency ?? 8, (url) => this._pollAgent(url, signal));
    const samples: Sample[] = [];
    const errors: CollectError[] = [];
    const skipped: Record<string, number> = {};
    for (const r of results) {
      samples.push(...r.samples);
      errors.push(...r.errors);
      mergeCounts(skipped, r.skipped ?? {});
    }
    // Forget agents that are no longer listed.
    for (const key of [...this._prev.keys()]) if (!urls.includes(key)) this._prev.delete(key);
    for (const key of [...this._states.keys()]) if (!urls.includes(key)) this._states.delete(key);
    if (results.every((r) => !r.ok)) throw failedPoll(`no Mesos agent answered usefully (${urls.length} tried)`, errors, { target: this.target });
    return { samples, errors, skipped };
  }

  shutdown(): Promise<void> {
    return this._ownsClient ? this._client.shutdown() : Promise.resolve();
  }

  private async _pollAgent(url: string, signal: AbortSignal): Promise<CollectionResult & { ok: boolean }> {
    const target = `mesos-agent ${redactUrl(url)}`;
    const errors: CollectError[] = [];
    const skipped: Record<string, number> = {};
    const statsPaths = this._opts.statisticsEndpoint === 'containers' ? ['/containers'] : ['/monitor/statistics', '/monitor/statistics.json'];
    const statsPath = statsPaths[0]!;
    const [stateRes, statsRes] = await Promise.allSettled([
      getFirstFound(this._client, url, ['/state', '/state.json'], signal, this._paths),
      getFirstFound(this._client, url, statsPaths, signal, this._paths),
    ]);
    const nowMs = this._clock.nowMs();
    let state: AgentStateInfo | undefined;
    if (stateRes.status === 'fulfilled') {
      const parsed = parseAgentState(stateRes.value.body, { target });
      errors.push(...parsed.errors);
      mergeCounts(skipped, parsed.skipped);
      if (parsed.errors.length === 0 || parsed.value.executors.size > 0 || parsed.value.id !== undefined) {
        state = parsed.value;
        this._states.set(url, state);
      }
    } else {
      errors.push(collectErrorFrom(target, stateRes.reason, joinUrl(url, '/state')));
    }
    if (statsRes.status === 'rejected') {
      errors.push(collectErrorFrom(target, statsRes.reason, joinUrl(url, statsPath)));
      return { samples: [], errors, skipped, ok: false };
    }
    const parsed = parseAgentStatistics(statsRes.value.body, { target });
    errors.push(...parsed.errors);
    mergeCounts(skipped, parsed.skipped);
    if (parsed.value.length === 0 && parsed.errors.length > 0) return { samples: [], errors, skipped, ok: false };
    if (state === undefined) mergeCounts(skipped, { no_agent_state: parsed.value.length });
    const prevByExec = this._prev.get(url) ?? new Map<string, Previous>();
    const nextByExec = new Map<string, Previous>();
    const samples: Sample[] = [];
    // The endpoint is part of the container `_id`: no credentials in it, however supplied.
    const agentUrl = stripCredentials(url);
    const masterTasks = this._opts.masterTasks?.();
    for (const reading of parsed.value) {
      const key = `${reading.frameworkId}/${reading.executorId}`;
      const executor = state?.executors.get(key);
      const containerId = reading.containerId ?? executor?.containerId;
      const prev = prevByExec.get(key);
      // A different container under the same executor id is a new run: no rate across it.
      const usable = prev !== undefined && (prev.containerId === undefined || containerId === undefined || prev.containerId === containerId) ? prev.stats : undefined;
      // The executor's task: its only task, else (command executor) the task named like it.
      const taskKey = executor?.taskIds.length === 1 ? executor.taskIds[0]! : reading.executorId;
      const task = state?.tasks.get(taskKey) ?? masterTasks?.get(taskKey);
      const result = containerDocFromReading(usable, reading, {
        nowMs,
        agentUrl,
        target,
        ...(state?.resources?.cpus !== undefined ? { hostCpus: state.resources.cpus } : {}),
        ...(state?.id !== undefined ? { agentId: state.id } : {}),
        ...(state?.hostname !== undefined ? { agentHostname: state.hostname } : {}),
        ...(executor !== undefined ? { executor } : {}),
        ...(task !== undefined ? { task } : {}),
      });
      mergeCounts(skipped, result.skipped);
      errors.push(...result.errors);
      samples.push({ kind: 'container', doc: result.value });
      nextByExec.set(key, { stats: reading.statistics, ...(containerId !== undefined ? { containerId } : {}) });
    }
    this._prev.set(url, nextByExec);
    return { samples, errors, skipped, ok: true };
  }
}
