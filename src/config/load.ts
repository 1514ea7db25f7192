import { readFileSync, existsSync } from 'node:fs';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, RightsizeError, type ConfigProblem } from '../errors/index.js';
import { dockerEndpointProblem, endpointProblem } from './endpoints.js';
import { validate as cronValid } from 'node-cron';
import { parseBytes, parseDurationMs } from '../util/index.js';
import { ConfigSchema, ReceiverSchema, type AlertRuleConfig, type Config } from './schema.js';
import { receiversProblems } from './receivers.js';
import { overridesProblems } from './overrides.js';

/** Default config file, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'rightsize.yaml';

/** Environment variables that override config keys (secrets belong here, not in the file). */
export const ENV_OVERRIDES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['RIGHTSIZE_ES_URL', ['elasticsearch', 'url']],
  ['RIGHTSIZE_ES_API_KEY', ['elasticsearch', 'apiKey']],
  ['RIGHTSIZE_ES_USERNAME', ['elasticsearch', 'username']],
  ['RIGHTSIZE_ES_PASSWORD', ['elasticsearch', 'password']],
  ['RIGHTSIZE_ES_CA_FILE', ['elasticsearch', 'caFile']],
  ['RIGHTSIZE_INDEX_PREFIX', ['elasticsearch', 'indexPrefix']],
  ['RIGHTSIZE_JENKINS_URL', ['jenkins', 'url']],
  ['RIGHTSIZE_JENKINS_USER', ['jenkins', 'username']],
  ['RIGHTSIZE_JENKINS_TOKEN', ['jenkins', 'token']],
  ['RIGHTSIZE_KIBANA_URL', ['kibana', 'url']],
  ['RIGHTSIZE_KIBANA_API_KEY', ['kibana', 'apiKey']],
  ['RIGHTSIZE_KIBANA_USERNAME', ['kibana', 'username']],
  ['RIGHTSIZE_KIBANA_PASSWORD', ['kibana', 'password']],
  ['RIGHTSIZE_LOG_LEVEL', ['log', 'level']],
];

export interface LoadOptions {
  /** Explicit file (from `--config`); a missing explicit file is an error. */
  readonly file?: string;
  /** Environment to read (defaults to process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra overrides applied last (CLI flags), as key paths. */
  readonly overrides?: ReadonlyArray<readonly [readonly string[], unknown]>;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Where the file came from, or `defaults` when none was found. */
  readonly source: string;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/** Problems of `analysis` beyond the schema: size strings, floor ≤ cap, minBuilds ≤ maxBuilds. */
function analysisProblems(a: Config['analysis']): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const bytes: Partial<Record<'headroomBytes' | 'floorBytes' | 'capBytes', number>> = {};
  for (const key of ['headroomBytes', 'floorBytes', 'capBytes'] as const) {
    const v = parseBytes(a.memory[key]);
    if (v === undefined) problems.push({ path: `/analysis/memory/${key}`, message: `not a size (bytes, or e.g. 512MiB, 4g): ${JSON.stringify(a.memory[key])}` });
    else bytes[key] = v;
  }
  if (a.cpu.floorCores > a.cpu.capCores) problems.push({ path: '/analysis/cpu/floorCores', message: `must not exceed analysis.cpu.capCores (${a.cpu.capCores})` });
  if (bytes.floorBytes !== undefined && bytes.capBytes !== undefined && bytes.floorBytes > bytes.capBytes)
    problems.push({ path: '/analysis/memory/floorBytes', message: `must not exceed analysis.memory.capBytes (${bytes.capBytes} bytes)` });
  if (bytes.capBytes === 0) problems.push({ path: '/analysis/memory/capBytes', message: 'must be above 0' });
  if (a.minBuilds > a.maxBuilds) problems.push({ path: '/analysis/minBuilds', message: `must not exceed analysis.maxBuilds (${a.maxBuilds}): no job could ever get a recommendation` });
  problems.push(...overridesProblems(a, bytes));
  return problems;
}

/** Keys each alert rule kind accepts beyond the common ones, and those it requires. */
const RULE_KEYS: Readonly<Record<AlertRuleConfig['kind'], { readonly allowed: readonly string[]; readonly required: readonly string[] }>> = {
  threshold: { allowed: ['dataset', 'field', 'aggregation', 'comparator', 'threshold', 'window', 'groupBy', 'filter', 'explain'], required: ['dataset', 'field', 'threshold'] },
  nodata: { allowed: ['dataset', 'groupBy', 'filter', 'after', 'lookback'], required: ['dataset', 'after'] },
  'job-oom': { allowed: ['comparator', 'threshold', 'window', 'filter'], required: [] },
  'job-waste': { allowed: ['comparator', 'threshold', 'window', 'filter'], required: ['threshold'] },
  'recommendation-change': { allowed: ['comparator', 'threshold', 'window', 'filter'], required: ['threshold'] },
};
const RULE_COMMON_KEYS = ['id', 'name', 'kind', 'interval', 'cron', 'timezone', 'for', 'severity', 'labels', 'receivers', 'repeatInterval', 'repeatBackoff', 'sendResolved', 'message'];
const RULE_DATASETS = ['mesos.master', 'mesos.agent', 'mesos.role', 'jenkins.queue', 'jenkins.queue.label', 'docker.container', 'mesos.executor', 'jenkins.build'];
const TEMPLATE_NAMES = ['rule', 'name', 'group', 'group_suffix', 'value', 'threshold', 'comparator', 'severity', 'status', 'url', 'explanation'];

/** Problems of `alerts` beyond the schema: keys per rule kind, durations, thresholds, cron, templates, unique ids. */
function alertsProblems(a: Config['alerts']): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const duration = (path: string, v: number | string | undefined, positive = false): void => {
    if (v === undefined) return;
    const d = parseDurationMs(v);
    if (d === undefined) problems.push({ path, message: `not a duration (ms, or e.g. 90s, 10m, 4h): ${JSON.stringify(v)}` });
    else if (positive && d <= 0) problems.push({ path, message: 'must be above 0' });
  };
  duration('/alerts/defaultInterval', a.defaultInterval, true);
  duration('/alerts/flapping/window', a.flapping.window, true);
  duration('/alerts/flapping/stableFor', a.flapping.stableFor);
  duration('/alerts/delivery/maxAge', a.delivery.maxAge, true);
  duration('/alerts/lease/ttl', a.lease.ttl, true);
  if (a.uiUrl !== undefined && !/^https?:\/\//.test(a.uiUrl)) problems.push({ path: '/alerts/uiUrl', message: 'not an http(s) URL' });
  const seen = new Set<string>();
  (a.rules ?? []).forEach((r, i) => {
    const at = `/alerts/rules/${i}`;
    if (seen.has(r.id)) problems.push({ path: `${at}/id`, message: `duplicate rule id '${r.id}'` });
    seen.add(r.id);
    const keys = RULE_KEYS[r.kind];
    for (const key of Object.keys(r)) {
      if (!RULE_COMMON_KEYS.includes(key) && !keys.allowed.includes(key)) problems.push({ path: `${at}/${key}`, message: `not a key of a ${r.kind} rule (allowed besides the common ones: ${keys.allowed.join(', ')})` });
    }
    for (const key of keys.required) {
      if ((r as Record<string, unknown>)[key] === undefined) problems.push({ path: `${at}/${key}`, message: `required for a ${r.kind} rule` });
    }
    if (r.dataset !== undefined && !RULE_DATASETS.includes(r.dataset)) problems.push({ path: `${at}/dataset`, message: `unknown dataset (one of ${RULE_DATASETS.join(', ')})` });
    const ranged = r.comparator === 'between' || r.comparator === 'outside';
    if (r.threshold !== undefined) {
      if (ranged && !Array.isArray(r.threshold)) problems.push({ path: `${at}/threshold`, message: `${r.comparator} needs [low, high]` });
      if (!ranged && Array.isArray(r.threshold)) problems.push({ path: `${at}/threshold`, message: `${r.comparator ?? '>'} needs one number (a [low, high] pair goes with between/outside)` });
      if (Array.isArray(r.threshold) && (r.threshold[0] as number) > (r.threshold[1] as number)) problems.push({ path: `${at}/threshold`, message: 'low must not exceed high' });
    }
    duration(`${at}/window`, r.window, true);
    duration(`${at}/after`, r.after, true);
    duration(`${at}/lookback`, r.lookback, true);
    duration(`${at}/interval`, r.interval, true);
    duration(`${at}/for`, r.for);
    duration(`${at}/repeatInterval`, r.repeatInterval, true);
    if (r.repeatBackoff) duration(`${at}/repeatBackoff/max`, r.repeatBackoff.max, true);
    if (r.interval !== undefined && r.cron !== undefined) problems.push({ path: `${at}/cron`, message: 'use either interval or cron, not both' });
    if (r.cron !== undefined && !cronValid(r.cron)) problems.push({ path: `${at}/cron`, message: `not a valid cron expression: ${r.cron}` });
    if (r.timezone !== undefined) {
      if (r.cron === undefined) problems.push({ path: `${at}/timezone`, message: 'goes with cron' });
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: r.timezone });
      } catch {
        problems.push({ path: `${at}/timezone`, message: `not an IANA time zone: ${r.timezone}` });
      }
    }
    if (r.message !== undefined) {
      for (const m of r.message.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g)) {
        const name = m[1] as string;
        if (!TEMPLATE_NAMES.includes(name) && !name.startsWith('labels.')) problems.push({ path: `${at}/message`, message: `unknown placeholder {{${name}}} (known: ${TEMPLATE_NAMES.join(', ')}, labels.<key>)` });
      }
    }
    if (r.receivers !== undefined && r.receivers.length === 0) problems.push({ path: `${at}/receivers`, message: 'an empty list sends nothing; leave it out to use alerts.defaultReceivers' });
  });
  return problems;
}

/** Keys that mean something to JavaScript objects: never a configuration key, a receiver or a label name. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The paths of every reserved key in raw input (own keys, as YAML and `JSON.parse` make them),
 * found before TypeBox touches it: `Value.Default` assigns `__proto__` as a prototype, so
 * `{"analysis":{"overrides":{"__proto__":{}}}}` passed the schema as an empty array-like object
 * and then threw a TypeError in overridesProblems (fault case 5). Shared objects (YAML aliases)
 * are walked once, so a cycle ends.
 */
function reservedKeyProblems(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    for (const key of Object.keys(v)) {
      const at = `${path}/${key}`;
      if (RESERVED_KEYS.has(key)) problems.push({ path: at, message: 'reserved key (it would change what the configuration object is, not set a value)' });
      else walk((v as Record<string, unknown>)[key], at);
    }
  };
  walk(raw, '');
  return problems;
}

/**
 * Validates raw configuration data (already parsed from YAML) into a frozen Config.
 * Every problem is listed at once with its path; the input is not modified.
 */
export function validateConfig(raw: unknown, source = 'config'): Config {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: '/', message: 'must be a mapping of sections (elasticsearch, docker, ...)' }], source);
  }
  const reserved = reservedKeyProblems(raw);
  if (reserved.length > 0) throw new ConfigError(reserved, source);
  const candidate = Value.Default(ConfigSchema, structuredClone(raw));
  // TypeBox does not apply defaults inside a Record: fill each named receiver.
  const receivers = (candidate as { receivers?: unknown }).receivers;
  if (receivers !== null && typeof receivers === 'object' && !Array.isArray(receivers)) {
    for (const [name, entry] of Object.entries(receivers)) (receivers as Record<string, unknown>)[name] = Value.Default(ReceiverSchema, entry);
  }
  const problems: ConfigProblem[] = [];
  for (const e of Value.Errors(ConfigSchema, candidate)) {
    const path = e.path === '' ? '/' : e.path;
    // TypeBox reports unknown keys on the parent; name the key itself.
    if (e.schema && (e.schema as { additionalProperties?: unknown }).additionalProperties === false && e.value && typeof e.value === 'object') {
      const allowed = Object.keys((e.schema as { properties?: Record<string, unknown> }).properties ?? {});
      const unknown = Object.keys(e.value).filter((k) => !allowed.includes(k));
      if (unknown.length > 0) {
        for (const key of unknown) problems.push({ path: `${path === '/' ? '' : path}/${key}`, message: `unknown key (allowed: ${allowed.join(', ')})` });
        continue;
      }
    }
    // Inside a Record (receivers.<name>) TypeBox reports the unknown key itself, against its parent's schema.
    if (e.type === ValueErrorType.ObjectAdditionalProperties && (e.schema as { properties?: unknown }).properties) {
      const allowed = Object.keys((e.schema as { properties?: Record<string, unknown> }).properties ?? {});
      problems.push({ path, message: `unknown key (allowed: ${allowed.join(', ')})` });
      continue;
    }
    // A missing required key is reported twice (required, then its type): name each path once.
    if (!problems.some((p) => p.path === path)) problems.push({ path, message: e.message });
  }
  // Invalid combinations, named by key.
  const c = candidate as Config;
  if (problems.length === 0) {
    if (c.elasticsearch.apiKey && (c.elasticsearch.username || c.elasticsearch.password)) {
      problems.push({ path: '/elasticsearch/apiKey', message: 'use either apiKey or username/password, not both' });
    }
    if ((c.elasticsearch.username === undefined) !== (c.elasticsearch.password === undefined)) {
      problems.push({ path: '/elasticsearch/password', message: 'username and password go together' });
    }
    if (c.elasticsearch.caFile && !c.elasticsearch.url.startsWith('https:')) {
      problems.push({ path: '/elasticsearch/caFile', message: 'a CA file needs an https URL' });
    }
    const http = ['http:', 'https:'];
    const esProblem = endpointProblem(c.elasticsearch.url, http);
    if (esProblem !== undefined) problems.push({ path: '/elasticsearch/url', message: esProblem });
    c.docker.hosts.forEach((h, i) => {
      const p = dockerEndpointProblem(h);
      if (p !== undefined) problems.push({ path: `/docker/hosts/${i}`, message: `not a Docker endpoint (unix:///path, tcp://host:port, http(s)://host:port): ${p}` });
    });
    for (const [section, list] of [['masters', c.mesos.masters], ['agents', c.mesos.agents]] as const) {
      list.forEach((u, i) => {
        const p = endpointProblem(u, http);
        if (p !== undefined) problems.push({ path: `/mesos/${section}/${i}`, message: p });
      });
    }
    for (const section of ['docker', 'mesos', 'jenkins'] as const) {
      if (c[section].timeoutMs > c[section].intervalMs) {
        problems.push({ path: `/${section}/timeoutMs`, message: `must not exceed ${section}.intervalMs (${c[section].intervalMs} ms): a request may not outlive its poll` });
      }
    }
    const jenkinsProblem = c.jenkins.url === undefined ? undefined : endpointProblem(c.jenkins.url, http);
    if (jenkinsProblem !== undefined) problems.push({ path: '/jenkins/url', message: jenkinsProblem });
    problems.push(...analysisProblems(c.analysis));
    problems.push(...alertsProblems(c.alerts));
    problems.push(...receiversProblems(c.receivers));
  }
  if (problems.length > 0) throw new ConfigError(problems, source);
  return deepFreeze(candidate as Config);
}

/**
 * Loads the configuration: YAML file (explicit, `RIGHTSIZE_CONFIG`, or ./rightsize.yaml if
 * present), then environment overrides, then CLI overrides; validates and freezes it.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const explicit = options.file ?? (env['RIGHTSIZE_CONFIG'] || undefined);
  const file = explicit ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let raw: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new RightsizeError('RS_ERR_CONFIG_READ', `cannot read config file ${file}: ${(cause as Error).message}`, { cause, meta: { file } });
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (cause) {
      const where = cause instanceof YAMLParseError && cause.linePos ? ` (line ${cause.linePos[0].line})` : '';
      throw new ConfigError([{ path: '/', message: `not valid YAML${where}: ${(cause as Error).message.split('\n')[0]}` }], file);
    }
  }
  const merged = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (typeof merged === 'object' && !Array.isArray(merged)) {
    for (const [name, path] of ENV_OVERRIDES) {
      const value = env[name];
      if (value !== undefined && value !== '') setPath(merged, path, value);
    }
    for (const [path, value] of options.overrides ?? []) setPath(merged, path, value);
  }
  return { config: validateConfig(merged, file ?? 'defaults'), source: file ?? 'defaults' };
}
