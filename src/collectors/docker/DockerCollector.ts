/**
 * The Docker collector: a thin shell ({@link EngineClient}) around the pure parsers in `parse/`.
 *
 * One round (`collect`): list running containers → for each, with at most `concurrency` calls in
 * flight, `GET /containers/{id}/stats?stream=false&one-shot=true` (no 1 s wait inside the
 * daemon) plus, once per container, `GET /containers/{id}/json` (cached; evicted when the
 * container disappears or its counters reset) → one `docker.container` document per running
 * container. CPU needs two readings: the previous one is kept per container id.
 */
import { RightsizeError, UpstreamError, redactUrl, toError } from '../../errors/index.js';
import type { CollectError, CollectionResult, Sample } from '../../model/index.js';
import { systemClock, type Clock } from '../../util/index.js';
import { hasTlsFiles, type TlsOptions } from '../tls.js';
import type { Collector } from '../types.js';
import { EngineCallError, EngineClient } from './EngineClient.js';
import { parseDockerEndpoint } from './endpoint.js';
import {
  containerCpuCores,
  exitFromEvents,
  exitFromInspect,
  formatDockerTimestamp,
  nsBetween,
  parseContainerList,
  parseEngineInfo,
  parseInspect,
  parseExitEvents,
  parseStartEvents,
  parseStatsReading,
  startedBetween,
  toContainerDoc,
  toExitDoc,
  type ContainerExit,
  type CpuSnapshot,
  type DockerInstant,
  type InspectInfo,
  type ListedContainer,
  type RunningStats,
  type StartEvent,
} from './parse/index.js';

/** Options of {@link DockerCollector}. */
export interface DockerCollectorOptions {
  /** TLS files; when given, `tcp://` means https. */
  readonly tls?: TlsOptions;
  /** Timeout of one list/stats/inspect call, ms (config `docker.timeoutMs`). @defaultValue 5000 */
  readonly timeoutMs?: number;
  /**
   * Stats calls in flight per engine (config `docker.concurrency`). Keep it at least the number
   * of containers per engine: Docker 20.10 answers a one-shot stats call at the next tick of its
   * 1 s stats loop and serves every waiting call in the same tick, so a round takes about
   * ⌈containers / concurrency⌉ seconds (measured here: 30 containers, concurrency 8 → 4.1 s,
   * 16 → 3.1 s, 64 → 1.1 s; `docker stats --no-stream` 2.1–2.6 s).
   * @defaultValue 128
   */
  readonly concurrency?: number;
  /** Source of `@timestamp` and of the collector-side interval check. @defaultValue the system clock */
  readonly clock?: Clock;
}

/** A container's reading of this round, waiting for the round's start events. */
interface PendingReading {
  readonly listed: ListedContainer;
  readonly reading: RunningStats;
  readonly inspect?: InspectInfo;
  readonly receivedMs: number;
}

/** A container that had a reading last round and is no longer running. */
interface GoneContainer {
  readonly id: string;
  readonly lastRead: DockerInstant;
  readonly inspect?: InspectInfo;
}

/** Upper bound of one stats answer (a real one is 2–5 KiB). */
const MAX_STATS_BYTES = 1024 * 1024;
/** Upper bound of an events answer (256 events of ~1 KiB in the daemon's memory at most). */
const MAX_EVENTS_BYTES = 4 * 1024 * 1024;
/** Upper bound of one inspect answer (a real one is 5–20 KiB; a huge environment stays far below). */
const MAX_INSPECT_BYTES = 4 * 1024 * 1024;
/** Upper bound of `/info` (a real one is 2–10 KiB). */
const MAX_INFO_BYTES = 1024 * 1024;
/** Upper bound of the container list: ~2 KiB per container, so room for ~16,000 containers. */
const MAX_LIST_BYTES = 32 * 1024 * 1024;

interface PreviousReading {
  readonly snapshot: CpuSnapshot;
  readonly receivedMs: number;
}

/**
 * {@link Collector} of one Docker engine. Construct with `collectorFromEndpoint` (fromConfig.ts).
 *
 * Partial failure is data: a container that vanishes between list and stats (404) is skipped
 * (`vanished`), a garbled response is one error for that container. A dead daemon (the list
 * call fails, or every stats call fails to connect) makes the whole round throw
 * `RS_ERR_DOCKER_API` with the redacted endpoint in `meta`; the runner counts it and backs off.
 * When the daemon returns, the kept readings still give a correct average over the gap.
 *
 * `skipped` counts, by reason: `not_running` (exited between list and stats: no document),
 * `vanished` (404: no document), `aborted` (round cancelled), and, for documents emitted without
 * a CPU figure, `first_reading`, `counter_reset`, `implausible_rate`, `clock_jump`.
 *
 * A container that had a reading last round and is gone now gets one final document with
 * `container.exit_code` and `container.oom_killed` (Docker `die`/`oom` events, else its
 * inspect); when neither tells, it is counted as `exit_unknown`.
 */
export class DockerCollector implements Collector {
  readonly target: string;
  /** The redacted endpoint written to `service.address`. */
  readonly endpoint: string;
  private readonly _engine: EngineClient;
  private readonly _timeoutMs: number;
  private readonly _concurrency: number;
  private readonly _clock: Clock;
  private readonly _previous = new Map<string, PreviousReading>();
  private readonly _inspect = new Map<string, InspectInfo>();
  /** Containers that stopped during the last round, waiting for their exit lookup. */
  private readonly _exiting = new Map<string, GoneContainer>();
  private _hostName: string | undefined;
  private _closed = false;

  constructor(endpoint: string, options: DockerCollectorOptions = {}) {
    const tls = options.tls;
    const parsed = parseDockerEndpoint(endpoint, hasTlsFiles(tls));
    this.endpoint = redactUrl(endpoint.trim());
    this.target = `docker ${this.endpoint}`;
    this._timeoutMs = options.timeoutMs ?? 5_000;
    this._concurrency = options.concurrency ?? 128;
    this._clock = options.clock ?? systemClock;
    if (!(Number.isInteger(this._timeoutMs) && this._timeoutMs > 0)) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `docker.timeoutMs must be a positive integer, got ${this._timeoutMs}`);
    if (!(Number.isInteger(this._concurrency) && this._concurrency > 0)) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `docker.concurrency must be a positive integer, got ${this._concurrency}`);
    this._engine = new EngineClient(parsed, { timeoutMs: this._timeoutMs, maxSockets: this._concurrency + 2, ...(tls !== undefined && { tls }) });
  }

  /** Containers whose previous reading is kept (for tests and diagnostics). */
  get trackedContainers(): number {
    return this._previous.size;
  }

  async collect(signal: AbortSignal): Promise<CollectionResult> {
    if (this._closed) throw new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', `${this.target} is shut down`, { meta: { target: this.endpoint } });
    const errors: CollectError[] = [];
    const samples: Sample[] = [];
    const skipped: Record<string, number> = {};
    const skip = (reason: string): void => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
    };

    let listText: string;
    try {
      listText = await this._engine.getText('/containers/json', signal, MAX_LIST_BYTES);
    } catch (thrown) {
      const failure = asFailure(thrown);
      if (failure.kind === 'aborted') return { samples, errors, skipped: { aborted: 1 } };
      throw this._roundError(`cannot list containers`, failure);
    }
    const listJson = jsonOrText(listText);
    if (!listJson.ok) {
      throw new UpstreamError('RS_ERR_PARSE_JSON', `${this.target}: the container list is not JSON (${listText.length} bytes)`, { meta: { target: this.endpoint, url: this.endpoint } });
    }
    const list = parseContainerList(listJson.value, this.endpoint);
    if (list.value === undefined) {
      throw new UpstreamError('RS_ERR_PARSE_SHAPE', `${this.target}: ${list.errors[0]?.message ?? 'unusable container list'}`, { meta: { target: this.endpoint, url: this.endpoint } });
    }
    errors.push(...list.errors);
    const containers = list.value;
    const running = containers.filter((c) => c.state === undefined || c.state === 'running');
    for (const c of containers) if (c.state !== undefined && c.state !== 'running') skip('not_running'); // e.g. paused

    // Containers that ran last round and are gone now: their exit is looked up after the stats.
    // Then forget them.
    const present = new Set(running.map((c) => c.id));
    const gone: GoneContainer[] = [];
    for (const [id, prev] of this._previous) {
      if (present.has(id)) continue;
      const inspect = this._inspect.get(id);
      gone.push({ id, lastRead: prev.snapshot.read, ...(inspect !== undefined && { inspect }) });
    }
    // Those that stopped during the last round (after the list) end now; running again: no end.
    for (const [id, g] of this._exiting) if (!present.has(id) && !this._previous.has(id)) gone.push(g);
    this._exiting.clear();
    for (const id of [...this._previous.keys()]) if (!present.has(id)) this._previous.delete(id);
    for (const id of [...this._inspect.keys()]) if (!present.has(id)) this._inspect.delete(id);

    const hostNameDone = this._fetchHostName(signal); // in parallel: a slow /info never delays the stats

    const pending: PendingReading[] = [];
    let connectionFailures = 0;
    let lastConnectionFailure: EngineCallError | undefined;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < running.length) {
        const container = running[next++];
        if (container === undefined) break;
        if (signal.aborted) {
          skip('aborted');
          continue;
        }
        const outcome = await this._collectOne(container, signal, errors, skip);
        if (outcome.pending) pending.push(outcome.pending);
        if (outcome.connectionFailure) {
          connectionFailures++;
          lastConnectionFailure = outcome.connectionFailure;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this._concurrency, running.length) }, worker));

    if (running.length > 0 && connectionFailures === running.length && lastConnectionFailure) {
      throw this._roundError('lost the connection during the round', lastConnectionFailure);
    }
    const [starts, exits] = await Promise.all([this._startEvents(pending, signal, errors), this._exits(gone, pending, signal, errors), hostNameDone]);
    for (const p of pending) samples.push(this._finish(p, starts, errors, skip));
    for (const g of gone) {
      const exit = exits.get(g.id);
      if (exit === undefined) {
        skip('exit_unknown');
        continue;
      }
      samples.push({
        kind: 'container',
        doc: toExitDoc({
          containerId: g.id,
          exit,
          endpoint: this.endpoint,
          ...(g.inspect !== undefined && { inspect: g.inspect }),
          ...(this._hostName !== undefined && { hostName: this._hostName }),
        }),
      });
    }
    return { samples, errors, skipped };
  }

  async shutdown(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    this._engine.close();
    this._previous.clear();
    this._inspect.clear();
    this._exiting.clear();
    await Promise.resolve();
  }

  private async _collectOne(
    listed: ListedContainer,
    signal: AbortSignal,
    errors: CollectError[],
    skip: (reason: string) => void,
  ): Promise<{ pending?: PendingReading; connectionFailure?: EngineCallError }> {
    const id = listed.id;
    const cachedInspect = this._inspect.get(id);
    const [statsOutcome, inspectOutcome] = await Promise.allSettled([
      // no 1 s wait inside the daemon (one-shot, API ≥ 1.41)
      this._engine.getText(`/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`, signal, MAX_STATS_BYTES),
      cachedInspect !== undefined ? Promise.resolve(undefined) : this._inspectCall(id, signal),
    ]);
    const receivedMs = this._clock.nowMs();

    if (statsOutcome.status === 'rejected') {
      const failure = asFailure(statsOutcome.reason);
      return this._containerFailure(id, 'stats', failure, errors, skip);
    }
    let inspect = cachedInspect;
    if (inspectOutcome.status === 'rejected') {
      const failure = asFailure(inspectOutcome.reason);
      if (failure.kind === 'not_found' || failure.kind === 'aborted') return this._containerFailure(id, 'inspect', failure, errors, skip);
      errors.push(this._error(id, 'inspect', failure)); // the document goes out without limits and identity; retried next round
    } else if (inspectOutcome.value !== undefined) {
      const parsed = parseInspect(inspectOutcome.value.ok ? inspectOutcome.value.value : inspectOutcome.value.text, this.endpoint);
      errors.push(...this._itemErrors(id, 'inspect', parsed.errors));
      if (parsed.value !== undefined) {
        inspect = parsed.value;
        this._inspect.set(id, parsed.value);
      }
    }

    const text = statsOutcome.value;
    if (text.length === 0) {
      // Docker 20.10 answers a one-shot stats call with an empty 200 body when the container
      // stopped between the list and the call (seen with builds ending): not an error.
      this._markExiting(id);
      skip('stopped_during_round');
      return {};
    }
    const body = jsonOrText(text);
    const parsed = parseStatsReading(body.ok ? body.value : text, this.endpoint);
    errors.push(...this._itemErrors(id, 'stats', parsed.errors));
    const reading = parsed.value;
    if (reading === undefined) return {};
    if (reading.status === 'not_running') {
      this._markExiting(id);
      skip('not_running');
      return {};
    }
    if (reading.id !== undefined && !reading.id.startsWith(id) && !id.startsWith(reading.id)) {
      errors.push({ target: this.endpoint, code: 'RS_ERR_PARSE_SHAPE', message: `stats of ${id} answered for container ${reading.id}`, subject: id });
      return {};
    }

    return { pending: { listed, reading, receivedMs, ...(inspect !== undefined && { inspect }) } };
  }

  /** Second half of a container's round: the CPU figure (needs the round's start events) and the document. */
  private _finish(p: PendingReading, starts: readonly StartEvent[] | undefined, errors: CollectError[], skip: (reason: string) => void): Sample {
    const id = p.listed.id;
    const previous = this._previous.get(id);
    const base = previous?.snapshot ?? p.reading.previous;
    const cpu = containerCpuCores(base, p.reading.cpu, {
      ...(previous !== undefined && { observedIntervalMs: p.receivedMs - previous.receivedMs }),
      maxClockDisagreementMs: Math.max(10_000, 2 * this._timeoutMs),
      restartedBetween: base !== undefined && starts !== undefined && startedBetween(starts, id, base.read, p.reading.cpu.read),
      ...(p.inspect?.cpuLimitCores !== undefined && { limitCores: p.inspect.cpuLimitCores }),
    });
    if (!cpu.ok) {
      // A rate beyond the host's CPUs or the container's limit is a figure the engine cannot
      // report: an item error (the document goes out without CPU figures), not a routine skip.
      if (cpu.reason === 'implausible_rate') {
        errors.push({ target: this.endpoint, code: 'RS_ERR_PARSE_RANGE', message: `stats of ${id}: CPU rate beyond the host's CPUs or the container's limit; CPU figures left out`, subject: id });
      } else skip(cpu.reason);
      // A reset means a restart (or `docker update`): take limits and identity afresh next round.
      if (cpu.reason === 'counter_reset' || cpu.reason === 'implausible_rate') this._inspect.delete(id);
    }
    this._previous.set(id, { snapshot: p.reading.cpu, receivedMs: p.receivedMs });

    const doc = toContainerDoc({
      containerId: id,
      reading: p.reading,
      cpu,
      listed: p.listed,
      nowMs: p.receivedMs,
      endpoint: this.endpoint,
      ...(p.inspect !== undefined && { inspect: p.inspect }),
      ...(this._hostName !== undefined && { hostName: this._hostName }),
      ...(cpu.ok && base?.maxUsageBytes !== undefined && { previousMaxUsageBytes: base.maxUsageBytes }),
    });
    return { kind: 'container', doc };
  }

  /**
   * Container `start` events between the oldest kept reading and the newest new one (daemon
   * clock), so that a restart is seen even when the new run's counters have already passed the
   * old run's. Undefined when no pending reading has a previous one, or when the call fails
   * (then only the counters tell; the failure is one error of the round). Note the daemon keeps
   * only its last 256 events in memory.
   */
  private async _startEvents(pending: readonly PendingReading[], signal: AbortSignal, errors: CollectError[]): Promise<readonly StartEvent[] | undefined> {
    let since: DockerInstant | undefined;
    let until: DockerInstant | undefined;
    for (const p of pending) {
      const prev = this._previous.get(p.listed.id)?.snapshot.read ?? p.reading.previous?.read;
      if (prev === undefined) continue;
      if (since === undefined || nsBetween(prev, since) > 0) since = prev;
      const cur = p.reading.cpu.read;
      if (until === undefined || nsBetween(until, cur) > 0) until = cur;
    }
    if (since === undefined || until === undefined) return undefined;
    const query = {
      since: formatDockerTimestamp(since),
      until: formatDockerTimestamp(until),
      filters: JSON.stringify({ type: ['container'], event: ['start'] }),
    };
    try {
      const body = await this._engine.getText(`/events?${new URLSearchParams(query).toString()}`, signal, MAX_EVENTS_BYTES);
      return parseStartEvents(body, this.endpoint).value;
    } catch (thrown) {
      const failure = asFailure(thrown);
      if (failure.kind !== 'aborted') errors.push(this._error('', 'events', failure));
      return undefined;
    }
  }

  /**
   * A container that stopped between this round's list and its stats call: its exit is looked
   * up next round (with its last reading's time and identity); its reading is forgotten now.
   */
  private _markExiting(id: string): void {
    const prev = this._previous.get(id);
    const inspect = this._inspect.get(id);
    if (prev !== undefined) this._exiting.set(id, { id, lastRead: prev.snapshot.read, ...(inspect !== undefined && { inspect }) });
    this._previous.delete(id);
    this._inspect.delete(id);
  }

  /**
   * How the containers that vanished since the last round ended: one events call
   * (`die`/`oom` between the oldest of their last readings and now, daemon clock), then an
   * inspect of any container the events did not cover (the daemon keeps only its last 256
   * events; a container Mesos has not removed yet still answers). A container removed and out
   * of the events is left out (the caller counts `exit_unknown`). Never throws: a failed call is
   * one error of the round.
   */
  private async _exits(gone: readonly GoneContainer[], pending: readonly PendingReading[], signal: AbortSignal, errors: CollectError[]): Promise<Map<string, ContainerExit>> {
    const out = new Map<string, ContainerExit>();
    if (gone.length === 0) return out;
    let since = gone[0]!.lastRead;
    for (const g of gone) if (nsBetween(g.lastRead, since) > 0) since = g.lastRead;
    // Every exit happened before this round's list, so before any of its readings; without one,
    // the local clock (an engine on another host may disagree: then inspect covers it).
    let until: DockerInstant = { epochMs: this._clock.nowMs(), subMsNs: 0 };
    for (const p of pending) if (nsBetween(until, p.reading.cpu.read) > 0) until = p.reading.cpu.read;
    if (nsBetween(since, until) > 0) {
      const query = {
        since: formatDockerTimestamp(since),
        until: formatDockerTimestamp(until),
        filters: JSON.stringify({ type: ['container'], event: ['die', 'oom'] }),
      };
      try {
        const body = await this._engine.getText(`/events?${new URLSearchParams(query).toString()}`, signal, MAX_EVENTS_BYTES);
        const events = parseExitEvents(body, this.endpoint).value;
        for (const g of gone) {
          const exit = exitFromEvents(events, g.id);
          if (exit !== undefined) out.set(g.id, exit);
        }
      } catch (thrown) {
        const failure = asFailure(thrown);
        if (failure.kind === 'aborted') return out;
        errors.push(this._error('', 'events', failure));
      }
    }
    await Promise.all(
      gone
        .filter((g) => !out.has(g.id))
        .map(async (g) => {
          try {
            const raw = await this._inspectCall(g.id, signal);
            const parsed = parseInspect(raw.ok ? raw.value : raw.text, this.endpoint);
            const exit = parsed.value !== undefined ? exitFromInspect(parsed.value) : undefined;
            if (exit !== undefined) out.set(g.id, exit);
          } catch (thrown) {
            const failure = asFailure(thrown);
            // Removed already (404) is the usual end of a Mesos build container: not an error.
            if (failure.kind !== 'not_found' && failure.kind !== 'aborted') errors.push(this._error(g.id, 'inspect', failure));
          }
        }),
    );
    return out;
  }

  /** `GET /containers/{id}/json`: the parsed JSON, or the text when it is not JSON (the parser reports it). */
  private async _inspectCall(id: string, signal: AbortSignal): Promise<{ ok: true; value: unknown } | { ok: false; text: string }> {
    const text = await this._engine.getText(`/containers/${encodeURIComponent(id)}/json`, signal, MAX_INSPECT_BYTES);
    const parsed = jsonOrText(text);
    return parsed.ok ? parsed : { ok: false, text };
  }

  /** A parser's issues as errors of container `id`'s `call` (subject: the container). */
  private _itemErrors(id: string, call: string, issues: readonly CollectError[]): CollectError[] {
    return issues.map((e) => ({ ...e, target: this.endpoint, message: `${call} of ${id}: ${e.message}`, subject: id }));
  }

  private _containerFailure(
    id: string,
    call: string,
    failure: EngineCallError,
    errors: CollectError[],
    skip: (reason: string) => void,
  ): { connectionFailure?: EngineCallError } {
    if (failure.kind === 'not_found') {
      this._markExiting(id);
      skip('vanished');
      return {};
    }
    if (failure.kind === 'aborted') {
      skip('aborted');
      return {};
    }
    errors.push(this._error(id, call, failure));
    return failure.kind === 'connection' ? { connectionFailure: failure } : {};
  }

  private _error(id: string, call: string, failure: EngineCallError): CollectError {
    const what = failure.message.trim();
    return id === ''
      ? { target: this.endpoint, code: failure.code, message: `${call}: ${what}`, subject: call }
      : { target: this.endpoint, code: failure.code, message: `${call} of ${id}: ${what}`, subject: id };
  }

  private _roundError(what: string, failure: EngineCallError): RightsizeError {
    return new RightsizeError(failure.code, `Docker engine ${this.endpoint}: ${what}: ${failure.message.trim()}`, {
      meta: { target: this.endpoint, url: this.endpoint, ...(failure.status !== undefined && { status: failure.status }) },
      cause: failure,
    });
  }

  /** `GET /info` → `Name` once per collector (a failure is retried next round, never an error). */
  private async _fetchHostName(signal: AbortSignal): Promise<void> {
    if (this._hostName !== undefined) return;
    try {
      const text = await this._engine.getText('/info', signal, MAX_INFO_BYTES);
      const body = jsonOrText(text);
      if (body.ok) this._hostName = parseEngineInfo(body.value, this.endpoint).value.hostName;
    } catch {
      // host.name stays absent this round
    }
  }
}

/** Anything an engine call threw, as an {@link EngineCallError} (the client throws nothing else). */
function asFailure(thrown: unknown): EngineCallError {
  return thrown instanceof EngineCallError ? thrown : new EngineCallError('connection', toError(thrown).message, { cause: thrown });
}

/** A body as JSON, or not JSON. */
function jsonOrText(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
