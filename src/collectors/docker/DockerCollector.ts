/**
 * The Docker collector: a thin dockerode shell around the pure parsers in `parse.ts`.
 *
 * One round (`collect`): list running containers → for each, with at most `concurrency` calls in
 * flight, `GET /containers/{id}/stats?stream=false&one-shot=true` (no 1 s wait inside the
 * daemon) plus, once per container, `GET /containers/{id}/json` (cached; evicted when the
 * container disappears or its counters reset) → one `docker.container` document per running
 * container. CPU needs two readings: the previous one is kept per container id.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import Docker from 'dockerode';
import { RightsizeError, UpstreamError, redactUrl, toError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/index.js';
import type { CollectError, CollectionResult, Sample } from '../../model/index.js';
import { systemClock, type Clock } from '../../util/index.js';
import type { Collector } from '../types.js';
import {
  containerCpuCores,
  exitFromEvents,
  exitFromInspect,
  formatDockerTimestamp,
  nsBetween,
  parseContainerList,
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
} from './parse.js';

/** TLS material for `tcp://` / `https://` endpoints (config `docker.tls`). */
export interface DockerTlsOptions {
  /** PEM file of the CA that signed the daemon's certificate. */
  readonly caFile?: string;
  /** PEM client certificate (the daemon's `--tlsverify` mutual TLS). */
  readonly certFile?: string;
  /** PEM client key. */
  readonly keyFile?: string;
  /** Verify the daemon's certificate. @defaultValue true */
  readonly rejectUnauthorized?: boolean;
}

/** Options of {@link DockerCollector}. */
export interface DockerCollectorOptions {
  /** TLS files; when given, `tcp://` means https. */
  readonly tls?: DockerTlsOptions;
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

/** Where and how to reach one engine. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly protocol: 'http' | 'https'; readonly host: string; readonly port: number };

/**
 * Parses a Docker endpoint: `unix:///path/docker.sock` (or a bare absolute path),
 * `tcp://host:port` (https when TLS is configured; default port 2375, or 2376 with TLS),
 * `http://host:port`, `https://host:port`. Anything else is `RS_ERR_CONFIG_INVALID`.
 */
export function parseDockerEndpoint(endpoint: string, tlsConfigured = false): DockerEndpoint {
  const text = endpoint.trim();
  if (text.startsWith('/')) return { kind: 'unix', socketPath: text };
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw invalidEndpoint(endpoint, 'a unix endpoint needs an absolute path (unix:///var/run/docker.sock)');
    return { kind: 'unix', socketPath };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidEndpoint(endpoint, 'not a URL');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalidEndpoint(endpoint, 'no host');
  if (url.protocol === 'tcp:') {
    const protocol = tlsConfigured ? 'https' : 'http';
    return { kind: 'tcp', protocol, host, port: url.port !== '' ? Number(url.port) : tlsConfigured ? 2376 : 2375 };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const protocol = url.protocol === 'https:' ? 'https' : 'http';
    return { kind: 'tcp', protocol, host, port: url.port !== '' ? Number(url.port) : protocol === 'https' ? 443 : 80 };
  }
  throw invalidEndpoint(endpoint, `unsupported scheme ${url.protocol} (use unix://, tcp://, http:// or https://)`);
}

function invalidEndpoint(endpoint: string, why: string): RightsizeError {
  return new RightsizeError('RS_ERR_CONFIG_INVALID', `Docker endpoint ${redactUrl(endpoint)}: ${why}`, { meta: { url: redactUrl(endpoint) } });
}

/** The default engine when neither config nor `DOCKER_HOST` names one. */
export const DEFAULT_DOCKER_ENDPOINT = 'unix:///var/run/docker.sock';

/**
 * The engines to collect from: an explicit override (`--docker-host`) wins, then config
 * `docker.hosts`, then the standard `DOCKER_HOST`, then the local socket.
 */
export function resolveDockerEndpoints(input: {
  readonly override?: readonly string[] | string;
  readonly configured?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
}): readonly string[] {
  const override = typeof input.override === 'string' ? [input.override] : (input.override ?? []);
  const pick = (list: readonly string[]): string[] => list.map((s) => s.trim()).filter((s) => s !== '');
  if (pick(override).length > 0) return pick(override);
  if (pick(input.configured ?? []).length > 0) return pick(input.configured ?? []);
  const fromEnv = input.env?.['DOCKER_HOST']?.trim();
  if (fromEnv) return [fromEnv];
  return [DEFAULT_DOCKER_ENDPOINT];
}

/** Builds the collector of one engine. */
export function collectorFromEndpoint(endpoint: string, options: DockerCollectorOptions = {}): DockerCollector {
  return new DockerCollector(endpoint, options);
}

/**
 * One collector per engine from the `docker` config section (`hosts`, `tls`, `timeoutMs`,
 * `concurrency`), `DOCKER_HOST` and an optional `--docker-host` override.
 */
export function dockerCollectorsFromConfig(
  docker: { readonly hosts: readonly string[]; readonly tls?: DockerTlsOptions; readonly timeoutMs: number; readonly concurrency: number },
  extra: { readonly override?: readonly string[] | string; readonly env?: Readonly<Record<string, string | undefined>>; readonly clock?: Clock } = {},
): DockerCollector[] {
  const endpoints = resolveDockerEndpoints({ override: extra.override, configured: docker.hosts, env: extra.env });
  return endpoints.map((e) =>
    collectorFromEndpoint(e, {
      timeoutMs: docker.timeoutMs,
      concurrency: docker.concurrency,
      ...(docker.tls !== undefined && { tls: docker.tls }),
      ...(extra.clock !== undefined && { clock: extra.clock }),
    }),
  );
}

/** Errors a client raises when the engine itself is unreachable (not one container's problem). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'EACCES', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNABORTED']);

type FailureKind = 'not_found' | 'timeout' | 'aborted' | 'connection' | 'status' | 'other';

/** A failed API call, classified (internal: never leaves this module). */
class CallFailure extends Error {
  readonly kind: FailureKind;
  readonly error: Error;
  readonly status: number | undefined;
  constructor(kind: FailureKind, error: Error, status?: number) {
    super(error.message);
    this.name = 'CallFailure';
    this.kind = kind;
    this.error = error;
    this.status = status;
  }
}

function classify(thrown: unknown, timedOut: boolean, roundAborted: boolean): CallFailure {
  const error = toError(thrown);
  const status = (thrown as { statusCode?: unknown } | null)?.statusCode;
  const code = (thrown as { code?: unknown } | null)?.code;
  if (typeof status === 'number') return new CallFailure(status === 404 ? 'not_found' : 'status', error, status);
  if (timedOut) return new CallFailure('timeout', error);
  if (roundAborted) return new CallFailure('aborted', error);
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return new CallFailure('connection', error);
  return new CallFailure('other', error);
}

function asFailure(thrown: unknown): CallFailure {
  return thrown instanceof CallFailure ? thrown : classify(thrown, false, false);
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

/** Reads a stream to a string, failing past `maxBytes` or when `signal` aborts. */
function readCapped(stream: NodeJS.ReadableStream & { destroy?: () => void }, signal: AbortSignal, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = (): void => {
      stream.destroy?.();
      reject(toError(signal.reason));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > maxBytes) {
        stream.destroy?.();
        signal.removeEventListener('abort', onAbort);
        reject(new RightsizeError('RS_ERR_HTTP_TOO_LARGE', `events answer exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(buf);
    });
    stream.on('error', (err: unknown) => {
      signal.removeEventListener('abort', onAbort);
      reject(toError(err));
    });
    stream.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

interface PreviousReading {
  readonly snapshot: CpuSnapshot;
  readonly receivedMs: number;
}

type DockerWithAgent = Docker.DockerOptions & { agent?: HttpAgent };

/**
 * {@link Collector} of one Docker engine. Construct with {@link collectorFromEndpoint}.
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
  private readonly _docker: Docker;
  private readonly _agent: HttpAgent;
  private readonly _timeoutMs: number;
  private readonly _concurrency: number;
  private readonly _clock: Clock;
  private readonly _previous = new Map<string, PreviousReading>();
  private readonly _inspect = new Map<string, InspectInfo>();
  /** Containers that stopped during the last round, waiting for their exit lookup. */
  private readonly _exiting = new Map<string, GoneContainer>();
  private _hostName: string | undefined;
  private _closed = false;
  /** Where the hot-path stats requests go (same agent as dockerode's). */
  private readonly _requestBase: RequestOptions;
  private readonly _https: boolean;

  constructor(endpoint: string, options: DockerCollectorOptions = {}) {
    const tls = options.tls;
    const tlsConfigured = tls !== undefined && (tls.caFile !== undefined || tls.certFile !== undefined || tls.keyFile !== undefined);
    const parsed = parseDockerEndpoint(endpoint, tlsConfigured);
    this.endpoint = redactUrl(endpoint.trim());
    this.target = `docker ${this.endpoint}`;
    this._timeoutMs = options.timeoutMs ?? 5_000;
    this._concurrency = options.concurrency ?? 128;
    this._clock = options.clock ?? systemClock;
    if (!(Number.isInteger(this._timeoutMs) && this._timeoutMs > 0)) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `docker.timeoutMs must be a positive integer, got ${this._timeoutMs}`);
    if (!(Number.isInteger(this._concurrency) && this._concurrency > 0)) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `docker.concurrency must be a positive integer, got ${this._concurrency}`);

    // Explicit undefined for every field the modem would otherwise take from DOCKER_HOST,
    // DOCKER_CERT_PATH or DOCKER_CLIENT_TIMEOUT: the endpoint given here is the only one used.
    const base: DockerWithAgent = { host: undefined, port: undefined, socketPath: undefined, ca: undefined, cert: undefined, key: undefined, timeout: undefined };
    this._https = parsed.kind === 'tcp' && parsed.protocol === 'https';
    if (parsed.kind === 'unix') {
      this._agent = new HttpAgent({ keepAlive: true, maxSockets: this._concurrency + 2 });
      this._docker = new Docker({ ...base, socketPath: parsed.socketPath, agent: this._agent } as DockerWithAgent);
      this._requestBase = { socketPath: parsed.socketPath, agent: this._agent };
    } else if (parsed.protocol === 'https') {
      const material = {
        ca: tls?.caFile !== undefined ? readTlsFile(tls.caFile, 'caFile') : undefined,
        cert: tls?.certFile !== undefined ? readTlsFile(tls.certFile, 'certFile') : undefined,
        key: tls?.keyFile !== undefined ? readTlsFile(tls.keyFile, 'keyFile') : undefined,
      };
      this._agent = new HttpsAgent({ keepAlive: true, maxSockets: this._concurrency + 2, rejectUnauthorized: tls?.rejectUnauthorized ?? true, ...material });
      this._docker = new Docker({ ...base, ...material, protocol: 'https', host: parsed.host, port: parsed.port, agent: this._agent } as DockerWithAgent);
      this._requestBase = { host: parsed.host, port: parsed.port, agent: this._agent };
    } else {
      this._agent = new HttpAgent({ keepAlive: true, maxSockets: this._concurrency + 2 });
      this._docker = new Docker({ ...base, protocol: 'http', host: parsed.host, port: parsed.port, agent: this._agent } as DockerWithAgent);
      this._requestBase = { host: parsed.host, port: parsed.port, agent: this._agent };
    }
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

    let rawList: unknown;
    try {
      rawList = await this._call(signal, (s) => this._docker.listContainers({ abortSignal: s } as Docker.ContainerListOptions));
    } catch (thrown) {
      const failure = asFailure(thrown);
      if (failure.kind === 'aborted') return { samples, errors, skipped: { aborted: 1 } };
      throw this._roundError(`cannot list containers`, failure);
    }
    const list = parseContainerList(rawList);
    if ('status' in list) {
      throw new UpstreamError('RS_ERR_PARSE_SHAPE', `${this.target}: ${list.message}`, { meta: { target: this.endpoint, url: this.endpoint } });
    }
    for (const e of list.errors) errors.push({ target: this.endpoint, code: e.code, message: e.message, ...(e.path !== undefined && { subject: e.path }) });
    const running = list.containers.filter((c) => c.state === undefined || c.state === 'running');
    for (const c of list.containers) if (c.state !== undefined && c.state !== 'running') skip('not_running'); // e.g. paused

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
    let lastConnectionFailure: CallFailure | undefined;
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
    for (const p of pending) samples.push(this._finish(p, starts, skip));
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
    this._agent.destroy();
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
  ): Promise<{ pending?: PendingReading; connectionFailure?: CallFailure }> {
    const id = listed.id;
    const container = this._docker.getContainer(id);
    const cachedInspect = this._inspect.get(id);
    const [statsOutcome, inspectOutcome] = await Promise.allSettled([
      // dockerode puts every option except abortSignal into the query: ?stream=false&one-shot=true
      this._call(signal, (s) => this._oneShotStats(id, s)),
      cachedInspect !== undefined ? Promise.resolve(undefined) : this._call(signal, (s) => container.inspect({ abortSignal: s } as Docker.ContainerInspectOptions)),
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
      const parsed = parseInspect(inspectOutcome.value);
      if (parsed.status === 'ok') {
        inspect = parsed.info;
        this._inspect.set(id, parsed.info);
      } else {
        errors.push({ target: this.endpoint, code: parsed.code, message: `inspect of ${id}: ${parsed.message}`, subject: id });
      }
    }

    const body: unknown = statsOutcome.value;
    if ((body instanceof Uint8Array || typeof body === 'string') && body.length === 0) {
      // Docker 20.10 answers a one-shot stats call with an empty 200 body when the container
      // stopped between the list and the call (seen with builds ending): not an error.
      this._markExiting(id);
      skip('stopped_during_round');
      return {};
    }
    const reading = parseStatsReading(body);
    if (reading.status === 'error') {
      errors.push({ target: this.endpoint, code: reading.code, message: `stats of ${id}: ${reading.message}`, subject: id });
      return {};
    }
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
  private _finish(p: PendingReading, starts: readonly StartEvent[] | undefined, skip: (reason: string) => void): Sample {
    const id = p.listed.id;
    const previous = this._previous.get(id);
    const base = previous?.snapshot ?? p.reading.previous;
    const cpu = containerCpuCores(base, p.reading.cpu, {
      ...(previous !== undefined && { observedIntervalMs: p.receivedMs - previous.receivedMs }),
      maxClockDisagreementMs: Math.max(10_000, 2 * this._timeoutMs),
      restartedBetween: base !== undefined && starts !== undefined && startedBetween(starts, id, base.read, p.reading.cpu.read),
    });
    if (!cpu.ok) {
      skip(cpu.reason);
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
      const body = await this._call(signal, async (s) => {
        const stream = (await this._docker.getEvents({ ...query, abortSignal: s } as unknown as Docker.GetEventsOptions)) as NodeJS.ReadableStream & { destroy?: () => void };
        return readCapped(stream, s, MAX_EVENTS_BYTES);
      });
      return parseStartEvents(body).events;
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
        const body = await this._call(signal, async (s) => {
          const stream = (await this._docker.getEvents({ ...query, abortSignal: s } as unknown as Docker.GetEventsOptions)) as NodeJS.ReadableStream & { destroy?: () => void };
          return readCapped(stream, s, MAX_EVENTS_BYTES);
        });
        const { events } = parseExitEvents(body);
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
            const raw: unknown = await this._call(signal, (s) => this._docker.getContainer(g.id).inspect({ abortSignal: s } as Docker.ContainerInspectOptions));
            const parsed = parseInspect(raw);
            const exit = parsed.status === 'ok' ? exitFromInspect(parsed.info) : undefined;
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

  /**
   * `GET /containers/{id}/stats?stream=false&one-shot=true` with plain node:http on the
   * collector's keep-alive agent. This is the hot path of every round, and dockerode's request
   * path made it 3–4× slower than the daemon's own answer time (100 concurrent calls on the
   * project's engine: 1.25 s raw vs 4–5 s through dockerode), so only this call bypasses it.
   * Resolves to the parsed JSON, or the raw text when it is not JSON (the parser reports it);
   * rejects with an error carrying `statusCode` for non-2xx answers, as dockerode's do.
   */
  private _oneShotStats(id: string, signal: AbortSignal): Promise<unknown> {
    const path = `/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`;
    return new Promise((resolve, reject) => {
      const req = (this._https ? httpsRequest : httpRequest)({ ...this._requestBase, path, method: 'GET', signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_STATS_BYTES) {
            res.destroy(new Error(`stats answer exceeds ${MAX_STATS_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            let message = text.trim();
            try {
              const parsed = (JSON.parse(text) as { message?: unknown }).message;
              if (typeof parsed === 'string') message = parsed;
            } catch {
              // keep the raw text
            }
            reject(Object.assign(new Error(`(HTTP code ${status}) ${message.slice(0, 300)}`), { statusCode: status }));
            return;
          }
          if (text === '') return resolve('');
          try {
            resolve(JSON.parse(text));
          } catch {
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  private _containerFailure(
    id: string,
    call: string,
    failure: CallFailure,
    errors: CollectError[],
    skip: (reason: string) => void,
  ): { connectionFailure?: CallFailure } {
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

  private _error(id: string, call: string, failure: CallFailure): CollectError {
    const code: ErrorCode = failure.kind === 'timeout' ? 'RS_ERR_HTTP_TIMEOUT' : 'RS_ERR_DOCKER_API';
    const what = failure.kind === 'timeout' ? `timed out after ${this._timeoutMs} ms` : failure.error.message.trim();
    return id === '' ? { target: this.endpoint, code, message: `${call}: ${what}`, subject: call } : { target: this.endpoint, code, message: `${call} of ${id}: ${what}`, subject: id };
  }

  private _roundError(what: string, failure: CallFailure): RightsizeError {
    const detail = failure.kind === 'timeout' ? `timed out after ${this._timeoutMs} ms` : failure.error.message.trim();
    return new RightsizeError('RS_ERR_DOCKER_API', `Docker engine ${this.endpoint}: ${what}: ${detail}`, {
      meta: { target: this.endpoint, url: this.endpoint, ...(failure.status !== undefined && { status: failure.status }) },
      cause: failure.error,
    });
  }

  /** Runs one API call with the per-call timeout and the round's signal; rejects with a {@link CallFailure}. */
  private async _call<T>(signal: AbortSignal, run: (s: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this._timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    for (let attempt = 1; ; attempt++) {
      try {
        if (combined.aborted) throw toError(combined.reason);
        return await run(combined);
      } catch (thrown) {
        // A kept-alive socket the daemon closed (e.g. it restarted) fails once with ECONNRESET;
        // every call here is an idempotent GET, so one retry on a fresh socket is safe.
        const code = (thrown as { code?: unknown } | null)?.code;
        if (attempt === 1 && !combined.aborted && (code === 'ECONNRESET' || code === 'EPIPE')) continue;
        throw classify(thrown, timeout.aborted, signal.aborted);
      }
    }
  }

  /** `GET /info` → `Name` once per collector (a failure is retried next round, never an error). */
  private async _fetchHostName(signal: AbortSignal): Promise<void> {
    if (this._hostName !== undefined) return;
    try {
      const info: unknown = await this._call(signal, (s) => (this._docker.info as (opts: object) => Promise<unknown>).call(this._docker, { abortSignal: s }));
      const name = typeof info === 'object' && info !== null ? (info as { Name?: unknown }).Name : undefined;
      if (typeof name === 'string' && name !== '') this._hostName = name.slice(0, 255);
    } catch {
      // host.name stays absent this round
    }
  }
}

function readTlsFile(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new RightsizeError('RS_ERR_CONFIG_READ', `docker.tls.${key}: cannot read ${path}`, { meta: { path }, cause });
  }
}
