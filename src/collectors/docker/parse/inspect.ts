/** `GET /containers/{id}/json` (inspect) → limits, identity, labels and exit state (pure). */
import type { JenkinsIdentity, MesosIdentity } from '../../../model/index.js';
import { done, FieldReader, isRecord, type ParseResult } from '../../../util/json.js';
import { capText, cappedStr, describeValue, exitCodeOf, CONTAINER_ID_PATTERN, MAX_EXIT_CODE, MAX_HOST_CPUS, MIN_EXIT_CODE, MAX_LABEL_KEY_LENGTH, MAX_LABELS, MAX_TEXT_LENGTH, NO_LIMIT_BYTES } from './bounds.js';
import type { ContainerExit } from './events.js';
import { parseDockerTime } from './time.js';

/** What rightsize takes from `GET /containers/{id}/json`. */
export interface InspectInfo {
  readonly id?: string;
  readonly name?: string;
  readonly imageName?: string;
  /** Cores the container may use: `NanoCpus / 1e9`, else `CpuQuota / CpuPeriod`. Absent when unlimited. */
  readonly cpuLimitCores?: number;
  /** `HostConfig.Memory`, bytes; absent when 0 (unlimited). */
  readonly memoryLimitBytes?: number;
  /** `State.OOMKilled`: the last run of the container ended with the OOM killer. */
  readonly oomKilled?: boolean;
  /** `State.StartedAt`, whole epoch ms (changes when the container restarts). */
  readonly startedAtMs?: number;
  /** `State.Status` (`running`, `exited`, …). */
  readonly status?: string;
  /** `State.ExitCode` and `State.FinishedAt` (whole epoch ms), once the container has exited. */
  readonly exitCode?: number;
  readonly finishedAtMs?: number;
  /** `Config.Labels`, keys as the engine reports them (dots kept), lengths capped. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly mesos?: MesosIdentity;
  readonly jenkins?: JenkinsIdentity;
}

/** One inspect answer: the info, or `undefined` when the answer is unusable (the errors say why). */
export type InspectParseResult = ParseResult<InspectInfo | undefined>;

/** CFS period the kernel uses when `CpuPeriod` is 0 (µs). */
export const DEFAULT_CFS_PERIOD_US = 100_000;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;

/**
 * Mesos identity from a Docker container name. The Mesos Docker containerizer names containers
 * `mesos-<ContainerID>` (before 0.23 and again in 1.x) or `mesos-<SlaveID>.<ContainerID>`
 * (0.23+; a third `.executor` part for the executor's own container), and, like Mesos itself
 * (`docker.cpp` `parse()`), only accepts a UUID as the ContainerID, so a hand-made
 * `mesos-slave` container is not mistaken for a Mesos one.
 */
export function mesosIdentityFromName(rawName: string): { readonly agentId?: string; readonly containerId: string } | undefined {
  const name = rawName.startsWith('/') ? rawName.slice(1) : rawName;
  if (!name.startsWith('mesos-')) return undefined;
  const parts = name.slice('mesos-'.length).split('.');
  if (parts.length === 1 && UUID_PATTERN.test(parts[0] ?? '')) return { containerId: parts[0] ?? '' };
  if (parts.length === 2 || parts.length === 3) {
    const [agentId = '', containerId = ''] = parts;
    if (UUID_PATTERN.test(containerId) && SAFE_ID_PATTERN.test(agentId)) return { agentId, containerId };
  }
  return undefined;
}

function envMap(fr: FieldReader, config: Record<string, unknown> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const env = config && fr.arr(config, 'Env', 'Config.Env');
  if (env === undefined) return out;
  for (const entry of env.slice(0, 4096)) {
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1).trim();
    if (value !== '' && !out.has(key)) out.set(key, capText(value, MAX_TEXT_LENGTH));
  }
  return out;
}

/**
 * Copies `Config.Labels` for `container.labels`. Keys keep their dots: `container.labels` is
 * mapped with `subobjects: false` (docs/data-model.md), so `com.docker.compose.project` is one
 * field and labels `a` and `a.b` can both exist. Control characters in keys become `_`, keys
 * are capped at {@link MAX_LABEL_KEY_LENGTH}, values at {@link MAX_TEXT_LENGTH}, at most
 * {@link MAX_LABELS} labels; non-string values, empty keys and keys Elasticsearch cannot take
 * as one field name (only dots or underscores, a leading or trailing dot, `..`) are dropped.
 * Keys such as `__proto__` become plain own properties.
 */
export function sanitizeLabels(raw: unknown): Readonly<Record<string, string>> | undefined {
  if (!isRecord(raw)) return undefined;
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const key of Object.keys(raw).sort()) {
    if (entries.length >= MAX_LABELS) break;
    const value = raw[key];
    if (typeof value !== 'string') continue;
    // eslint-disable-next-line no-control-regex
    const clean = capText(key.replace(/[\u0000-\u001f\u007f]/g, '_'), MAX_LABEL_KEY_LENGTH);
    if (clean.trim() === '' || /^[._]+$/.test(clean) || clean.startsWith('.') || clean.endsWith('.') || clean.includes('..') || seen.has(clean)) continue;
    seen.add(clean);
    entries.push([clean, capText(value, MAX_TEXT_LENGTH)]);
  }
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function safeId(value: string | undefined): string | undefined {
  return value !== undefined && SAFE_ID_PATTERN.test(value) ? value : undefined;
}

/** `o` without its undefined fields, or undefined when none is left. */
export function compact<T extends object>(o: T): T | undefined {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

/**
 * Parses `GET /containers/{id}/json` (inspect) into limits and identity.
 *
 * - CPU limit: `HostConfig.NanoCpus / 1e9` (API ≥ 1.25), else `CpuQuota / CpuPeriod` (both µs;
 *   a `CpuPeriod` of 0 means the kernel default 100,000 µs); absent when neither is set.
 *   `CpuShares` is a relative weight, not a limit, and is ignored. A limit above
 *   {@link MAX_HOST_CPUS} is an `RS_ERR_PARSE_RANGE` issue and absent.
 * - Memory limit: `HostConfig.Memory` bytes; 0 (or ≥ 2^62) means unlimited → absent.
 * - Mesos identity: the name (see {@link mesosIdentityFromName}), then `Config.Env`
 *   `MESOS_TASK_ID`, `MESOS_CONTAINER_NAME`, `MESOS_FRAMEWORK_ID`, `MESOS_EXECUTOR_ID`,
 *   `MESOS_AGENT_ID` / `MESOS_SLAVE_ID` (env wins over the name for the agent).
 * - Jenkins identity from the build environment: `JENKINS_URL`, `NODE_NAME`, `NODE_LABELS`
 *   (first label), `JOB_NAME`, `BUILD_NUMBER` (a positive integer, else absent).
 * - Fields of the wrong type are `RS_ERR_PARSE_SHAPE` issues and absent.
 *
 * MUST be pure.
 */
export function parseInspect(raw: unknown, target = 'docker'): InspectParseResult {
  const fr = new FieldReader(target);
  if (!isRecord(raw)) {
    fr.issue(`inspect response is ${describeValue(raw)}, not an object`);
    return done(undefined, fr);
  }
  const hostConfig = fr.obj(raw, 'HostConfig', 'HostConfig');
  const config = fr.obj(raw, 'Config', 'Config');
  const state = fr.obj(raw, 'State', 'State');
  const rawId = fr.str(raw, 'Id', 'Id');
  const id = rawId !== undefined && CONTAINER_ID_PATTERN.test(rawId) ? rawId : undefined;
  if (id === undefined && hostConfig === undefined && config === undefined) {
    fr.issue('inspect response has neither Id, Config nor HostConfig');
    return done(undefined, fr);
  }
  const rawName = cappedStr(fr, raw, 'Name', MAX_TEXT_LENGTH, 'Name');
  const name = rawName?.replace(/^\//, '');

  let cpuLimitCores: number | undefined;
  const nano = hostConfig && fr.num(hostConfig, 'NanoCpus', 'HostConfig.NanoCpus');
  // CpuQuota is -1 for "no quota" on some engines: a number, just not a limit.
  const quota = hostConfig && fr.num(hostConfig, 'CpuQuota', 'HostConfig.CpuQuota');
  const period = hostConfig && fr.num(hostConfig, 'CpuPeriod', 'HostConfig.CpuPeriod');
  if (nano !== undefined && nano > 0) cpuLimitCores = nano / 1e9;
  else if (quota !== undefined && quota > 0) cpuLimitCores = quota / (period !== undefined && period > 0 ? period : DEFAULT_CFS_PERIOD_US);
  if (cpuLimitCores !== undefined && !(Number.isFinite(cpuLimitCores) && cpuLimitCores <= MAX_HOST_CPUS)) {
    fr.issue(`CPU limit of ${cpuLimitCores} cores is beyond what a host can have (at most ${MAX_HOST_CPUS})`, 'HostConfig.NanoCpus', 'RS_ERR_PARSE_RANGE');
    cpuLimitCores = undefined;
  }
  // A setting below 2^62 fits a `long` and is what the container was given; ≥ 2^62 is "no limit".
  const memory = hostConfig && fr.whole(hostConfig, 'Memory', Number.MAX_VALUE, 'HostConfig.Memory');
  const memoryLimitBytes = memory !== undefined && memory > 0 && memory < NO_LIMIT_BYTES ? memory : undefined;

  const oom = state && fr.bool(state, 'OOMKilled', 'State.OOMKilled');
  const started = parseDockerTime(state?.['StartedAt']);
  const finished = parseDockerTime(state?.['FinishedAt']);
  const status = state && cappedStr(fr, state, 'Status', 32, 'State.Status');
  const rawExit = state && fr.num(state, 'ExitCode', 'State.ExitCode');
  const exitCode = exitCodeOf(rawExit);
  if (rawExit !== undefined && exitCode === undefined) fr.issue(`State.ExitCode ${rawExit} is not an exit code (an integer in [${MIN_EXIT_CODE}, ${MAX_EXIT_CODE}])`, 'State.ExitCode', 'RS_ERR_PARSE_RANGE');
  const env = envMap(fr, config);

  const fromName = rawName !== undefined ? mesosIdentityFromName(rawName) : undefined;
  const envContainer = env.get('MESOS_CONTAINER_NAME');
  const fromEnvName = envContainer !== undefined ? mesosIdentityFromName(envContainer) : undefined;
  const mesos = compact<MesosIdentity>({
    agent: compact({ id: safeId(env.get('MESOS_AGENT_ID') ?? env.get('MESOS_SLAVE_ID')) ?? fromName?.agentId ?? fromEnvName?.agentId }),
    framework: compact({ id: safeId(env.get('MESOS_FRAMEWORK_ID')) }),
    executor: compact({ id: env.get('MESOS_EXECUTOR_ID') }),
    task: compact({ id: env.get('MESOS_TASK_ID') }),
    container: compact({ id: fromName?.containerId ?? fromEnvName?.containerId }),
  });

  const buildText = env.get('BUILD_NUMBER');
  const buildNumber = buildText !== undefined && /^[1-9]\d{0,14}$/.test(buildText) ? Number(buildText) : undefined;
  const firstLabel = env.get('NODE_LABELS')?.split(/\s+/).find((l) => l !== '');
  const jenkins = compact<JenkinsIdentity>({
    url: env.get('JENKINS_URL'),
    node: compact({ name: env.get('NODE_NAME') }),
    label: firstLabel,
    job: compact({ name: env.get('JOB_NAME') }),
    build: compact({ number: buildNumber }),
  });

  const imageName = config && cappedStr(fr, config, 'Image', MAX_TEXT_LENGTH, 'Config.Image');
  const rawLabels = config && fr.obj(config, 'Labels', 'Config.Labels');
  const labels = sanitizeLabels(rawLabels);
  const info: InspectInfo = {
    ...(id !== undefined && { id }),
    ...(name !== undefined && name !== '' && { name }),
    ...(imageName !== undefined && { imageName }),
    ...(cpuLimitCores !== undefined && { cpuLimitCores }),
    ...(memoryLimitBytes !== undefined && { memoryLimitBytes }),
    ...(oom !== undefined && { oomKilled: oom }),
    ...(started != null && { startedAtMs: started.epochMs }),
    ...(status !== undefined && { status }),
    ...(status === 'exited' && exitCode !== undefined && { exitCode }),
    ...(status === 'exited' && finished != null && { finishedAtMs: finished.epochMs }),
    ...(labels !== undefined && { labels }),
    ...(mesos !== undefined && { mesos }),
    ...(jenkins !== undefined && { jenkins }),
  };
  return done(info, fr);
}

/** The exit of a container from its inspect, when it has exited (`State.Status` `exited`). */
export function exitFromInspect(info: InspectInfo): ContainerExit | undefined {
  if (info.status !== 'exited' || info.finishedAtMs === undefined) return undefined;
  return { atMs: info.finishedAtMs, oomKilled: info.oomKilled === true, ...(info.exitCode !== undefined && { exitCode: info.exitCode }) };
}
