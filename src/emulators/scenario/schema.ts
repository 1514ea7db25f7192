import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigError, RightsizeError, type ConfigProblem } from '../../errors/index.js';

const Num = (opts: { minimum?: number; maximum?: number; default?: number; description?: string } = {}) => Type.Number(opts);
const Obj = <T extends Record<string, TSchema>>(props: T, opts: { description?: string; default?: unknown } = {}) =>
  Type.Object(props, { additionalProperties: false, ...opts });

/** Build duration distribution, in seconds. */
export const DurationSchema = Type.Union([
  Obj({ kind: Type.Literal('fixed'), seconds: Num({ minimum: 1 }) }),
  Obj({ kind: Type.Literal('uniform'), minSeconds: Num({ minimum: 1 }), maxSeconds: Num({ minimum: 1 }) }),
  Obj({ kind: Type.Literal('lognormal'), medianSeconds: Num({ minimum: 1 }), sigma: Num({ minimum: 0, maximum: 3, default: 0.3 }), maxSeconds: Num({ minimum: 1, default: 3600 }) }),
]);

/** One CPU phase: `cores` for `fraction` of the build's duration. */
export const PhaseSchema = Obj({ cores: Num({ minimum: 0, maximum: 64 }), fraction: Num({ minimum: 0.01, maximum: 1 }) });

/** CPU usage profile of a build, in cores. */
export const CpuProfileSchema = Type.Union([
  Obj({ kind: Type.Literal('constant'), cores: Num({ minimum: 0, maximum: 64 }) }),
  Obj({ kind: Type.Literal('phases'), phases: Type.Array(PhaseSchema, { minItems: 1, maxItems: 50 }) }),
  Obj({
    kind: Type.Literal('bursty'),
    baseCores: Num({ minimum: 0, maximum: 64 }),
    burstCores: Num({ minimum: 0, maximum: 64 }),
    /** Share of the build spent in bursts (0..1). */
    burstFraction: Num({ minimum: 0, maximum: 1, default: 0.2 }),
    /** Length of one burst, seconds. */
    burstSeconds: Num({ minimum: 1, default: 5 }),
  }),
]);

/** A Jenkins job. */
export const JobSchema = Obj({
  /** Full name; `/` separates folders (`team-a/api-tests` → `/job/team-a/job/api-tests/`). */
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$' }),
  /** Label (must be one of `labels[].name`). */
  label: Type.String({ minLength: 1 }),
  /** Poisson arrival rate of builds, per hour. */
  ratePerHour: Num({ minimum: 0, maximum: 36000 }),
  /** The first build is queued this many seconds after start (then Poisson arrivals). */
  firstBuildAfterSeconds: Num({ minimum: 0, default: 5 }),
  duration: DurationSchema,
  cpu: CpuProfileSchema,
  /** Peak resident memory of a build, MB (MiB). */
  memMb: Num({ minimum: 1, maximum: 1048576 }),
  /** Seconds over which memory grows to its peak. */
  memRampSeconds: Num({ minimum: 0, default: 5 }),
  /** Probability that a build's memory exceeds the task's limit (then it is OOM-killed). */
  oomProne: Num({ minimum: 0, maximum: 1, default: 0 }),
  /** Usage growth per day (0.01 = +1 % CPU and memory per day since the scenario's start). */
  growthPerDay: Num({ minimum: -0.5, maximum: 10, default: 0 }),
  /** Probability that a build fails on its own (exit 1). */
  failureRate: Num({ minimum: 0, maximum: 1, default: 0 }),
  /**
   * Before each build, ask rightsize which label to run on, as the shared-library step
   * `jenkins/vars/rightsize.groovy` does (`GET <api>/api/v1/jobs/<job>?format=mesos-plugin`);
   * `label` is the fallback when rightsize is unreachable, too slow or has no answer. Only
   * when the emulator is given an API (`rightsize emulate --ask-rightsize <url>`).
   */
  askRightsize: Type.Boolean({ default: false }),
});

/** A mesos-plugin 1.x `MesosSlaveInfo` (defaults from the plugin's config.jelly). */
export const LabelSchema = Obj({
  name: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$' }),
  slaveCpus: Num({ minimum: 0, default: 0.1 }),
  /** MB */
  slaveMem: Num({ minimum: 0, default: 512 }),
  executorCpus: Num({ minimum: 0, default: 0.1 }),
  /** MB */
  executorMem: Num({ minimum: 0, default: 128 }),
  minExecutors: Type.Integer({ minimum: 1, default: 1 }),
  maxExecutors: Type.Integer({ minimum: 1, default: 2 }),
  idleTerminationMinutes: Num({ minimum: 0, default: 3 }),
  /** One build per agent: the agent is terminated after its build. */
  singleUse: Type.Boolean({ default: false }),
  /** MB of disk the task asks for (`diskNeeded`). */
  diskNeeded: Num({ minimum: 0, default: 0 }),
  dockerImage: Type.String({ default: 'rightsize/workload:latest' }),
});

/** A group of identical Mesos agents. */
export const AgentGroupSchema = Obj({
  count: Type.Integer({ minimum: 1, maximum: 100, default: 1 }),
  cpus: Num({ minimum: 0.1, maximum: 1024 }),
  /** MB */
  memMb: Num({ minimum: 32, maximum: 4194304 }),
  /** MB */
  diskMb: Num({ minimum: 0, default: 100000 }),
});

/**
 * A Marathon app: long-running tasks of a second framework named `marathon` (Marathon's
 * default `--framework_name`). `cpus`/`memMb`/`diskMb` are what each instance reserves (the
 * app definition's `cpus`, `mem`, `disk`); `usage` is what it uses, played over `periodSeconds`
 * and repeated.
 */
export const MarathonAppSchema = Obj({
  /** Marathon app id: absolute path of lowercase letters, digits and `-` (`/team/web`). */
  id: Type.String({ minLength: 2, maxLength: 200, pattern: '^(/[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$' }),
  instances: Type.Integer({ minimum: 1, maximum: 50, default: 1 }),
  cpus: Num({ minimum: 0.01, maximum: 1024 }),
  /** MB */
  memMb: Num({ minimum: 32, maximum: 4194304 }),
  /** MB */
  diskMb: Num({ minimum: 0, default: 0 }),
  usage: Obj({
    /** Cores used (the same profile kinds as jobs), over one period. */
    cpu: CpuProfileSchema,
    /** Resident memory held, MB (MiB); capped at 90 % of the container limit. */
    memMb: Num({ minimum: 1, maximum: 4194304 }),
    /** Length of one repetition of the CPU profile, seconds. */
    periodSeconds: Num({ minimum: 10, maximum: 86400, default: 3600 }),
    /** Seconds over which memory grows to its level after the start. */
    memRampSeconds: Num({ minimum: 0, default: 30 }),
  }),
});

export const ScenarioSchema = Obj({
  name: Type.String({ default: 'scenario' }),
  seed: Type.Integer({ default: 1 }),
  mesos: Obj(
    {
      masters: Type.Integer({ minimum: 1, maximum: 7, default: 3 }),
      version: Type.String({ default: '1.2.0' }),
      /** Seconds from TASK_STAGING to TASK_RUNNING (the agent coming online in Jenkins). */
      launchSeconds: Num({ minimum: 0, default: 2 }),
      /** Mesos role of the framework. */
      role: Type.String({ default: '*' }),
    },
    { default: {} },
  ),
  jenkins: Obj(
    {
      user: Type.String({ minLength: 1, default: 'rightsize' }),
      token: Type.String({ minLength: 8, default: '11c0ffee0ddba11f00d5eed5a1adba5e' }),
      /** Metrics plugin installed: builds carry `jenkins.metrics.impl.TimeInQueueAction`. */
      metricsPlugin: Type.Boolean({ default: true }),
      quietPeriodSeconds: Num({ minimum: 0, default: 0 }),
      version: Type.String({ default: '2.346.3' }),
      /** Completed builds kept per job. */
      maxBuildsPerJob: Type.Integer({ minimum: 1, default: 200 }),
    },
    { default: {} },
  ),
  agents: Type.Array(AgentGroupSchema, { minItems: 1 }),
  labels: Type.Array(LabelSchema, { minItems: 1 }),
  jobs: Type.Array(JobSchema, { minItems: 1 }),
  /** Long-running Marathon apps on the same agents (optional; none by default). */
  marathonApps: Type.Optional(Type.Array(MarathonAppSchema, { maxItems: 100 })),
});

export type Scenario = Static<typeof ScenarioSchema>;
export type JobSpec = Static<typeof JobSchema>;
export type LabelSpec = Static<typeof LabelSchema>;
export type CpuProfile = Static<typeof CpuProfileSchema>;
export type DurationSpec = Static<typeof DurationSchema>;
export type MarathonAppSpec = Static<typeof MarathonAppSchema>;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/** Problems the schema cannot express (cross references, ranges between fields). */
function semanticProblems(s: Scenario): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const labels = new Map<string, LabelSpec>();
  s.labels.forEach((l, i) => {
    if (labels.has(l.name)) problems.push({ path: `/labels/${i}/name`, message: `duplicate label '${l.name}'` });
    labels.set(l.name, l);
    if (l.minExecutors > l.maxExecutors) problems.push({ path: `/labels/${i}/minExecutors`, message: `must be ≤ maxExecutors (${l.maxExecutors})` });
  });
  const names = new Set<string>();
  const maxAgentCpus = Math.max(...s.agents.map((a) => a.cpus));
  const maxAgentMem = Math.max(...s.agents.map((a) => a.memMb));
  s.jobs.forEach((j, i) => {
    if (names.has(j.name)) problems.push({ path: `/jobs/${i}/name`, message: `duplicate job '${j.name}'` });
    names.add(j.name);
    for (const folder of names) if (j.name.startsWith(folder + '/')) problems.push({ path: `/jobs/${i}/name`, message: `'${folder}' is a job, not a folder` });
    const label = labels.get(j.label);
    if (!label) {
      problems.push({ path: `/jobs/${i}/label`, message: `unknown label '${j.label}' (known: ${[...labels.keys()].join(', ')})` });
    } else {
      const req = taskRequest(label, label.minExecutors);
      if (req.cpus > maxAgentCpus || req.memMb > maxAgentMem)
        problems.push({ path: `/jobs/${i}/label`, message: `label '${j.label}' asks for ${req.cpus} cpus / ${req.memMb} MB, more than any agent offers` });
    }
    if (j.duration.kind === 'uniform' && j.duration.minSeconds > j.duration.maxSeconds)
      problems.push({ path: `/jobs/${i}/duration/minSeconds`, message: 'must be ≤ maxSeconds' });
  });
  const appIds = new Set<string>();
  (s.marathonApps ?? []).forEach((a, i) => {
    if (appIds.has(a.id)) problems.push({ path: `/marathonApps/${i}/id`, message: `duplicate app '${a.id}'` });
    appIds.add(a.id);
    if (a.cpus > maxAgentCpus || a.memMb > maxAgentMem)
      problems.push({ path: `/marathonApps/${i}`, message: `an instance asks for ${a.cpus} cpus / ${a.memMb} MB, more than any agent offers` });
  });
  return problems;
}

/**
 * The Mesos resources a mesos-plugin 1.x agent with `n` executors asks for:
 * cpus = slaveCpus + n·executorCpus; mem = 1.1 × (slaveMem + n·executorMem) MB
 * (`MesosSlave.java`, `JVM_MEM_OVERHEAD_FACTOR = 0.1` in `JenkinsScheduler.java`).
 *
 * @example taskRequest({slaveCpus: 0.1, executorCpus: 0.1, slaveMem: 512, executorMem: 128, ...}, 2)
 *   → { cpus: 0.3, memMb: 844.8 }
 */
export function taskRequest(label: Pick<LabelSpec, 'slaveCpus' | 'slaveMem' | 'executorCpus' | 'executorMem' | 'diskNeeded'>, n: number): { cpus: number; memMb: number; diskMb: number } {
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    cpus: round(label.slaveCpus + n * label.executorCpus),
    memMb: round(1.1 * (label.slaveMem + n * label.executorMem)),
    diskMb: label.diskNeeded,
  };
}

/**
 * Validates parsed scenario data: fills defaults, lists every problem with its path
 * (throws `ConfigError`, code RS_ERR_CONFIG_INVALID) and returns a frozen Scenario.
 */
export function validateScenario(raw: unknown, source = 'scenario'): Scenario {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: '/', message: 'must be a mapping with agents, labels and jobs' }], source);
  }
  const candidate = Value.Default(ScenarioSchema, structuredClone(raw));
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(ScenarioSchema, candidate)) {
    const path = e.path === '' ? '/' : e.path;
    let message = e.message;
    const schema = e.schema as { additionalProperties?: unknown; properties?: Record<string, unknown> };
    if (schema.additionalProperties === false && e.value && typeof e.value === 'object' && !Array.isArray(e.value)) {
      const allowed = Object.keys(schema.properties ?? {});
      const unknown = Object.keys(e.value).filter((k) => !allowed.includes(k));
      if (unknown.length > 0) {
        for (const key of unknown) {
          const p = `${path === '/' ? '' : path}/${key}`;
          if (!seen.has(p)) problems.push({ path: p, message: `unknown key (allowed: ${allowed.join(', ')})` });
          seen.add(p);
        }
        continue;
      }
    }
    if (message === 'Unexpected property') {
      if (seen.has(path)) continue;
      seen.add(path);
      problems.push({ path, message: 'unknown key' });
      continue;
    }
    if (e.schema && 'anyOf' in (e.schema as object)) message = 'must match one of the documented kinds (see docs/emulators.md)';
    const key = `${path}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message });
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  const scenario = candidate as Scenario;
  const more = semanticProblems(scenario);
  if (more.length > 0) throw new ConfigError(more, source);
  return deepFreeze(scenario);
}

/** Parses and validates YAML scenario text. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([{ path: '/', message: `not valid YAML: ${(err as Error).message}` }], source);
  }
  return validateScenario(raw, source);
}

/** Reads a scenario file. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RightsizeError('RS_ERR_CONFIG_READ', `cannot read scenario file ${file}`, { cause: err, meta: { file } });
  }
  return parseScenario(text, file);
}
