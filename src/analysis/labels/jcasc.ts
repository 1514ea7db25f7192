import { Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { RightsizeError } from '../../errors/index.js';
import { MiB } from '../../util/units.js';
import type { LabelPlan, LabelSize, PlanAssignment } from './plan.js';

/**
 * The label plan as Jenkins Configuration-as-Code for the mesos-plugin cloud, for both plugin
 * generations, written so that Mesos reserves the planned size (the recommendations are sizes of
 * the Mesos task: a build's `request.memory_bytes` is its task's `mem`).
 *
 * **1.x** (`MesosCloud` + `MesosSlaveInfo`, e.g. tag mesos-1.0.0): the cloud's list is `slaveInfos`,
 * a template's label `labelString`, and every number is a string (the `@DataBoundConstructor` takes
 * `String slaveCpus, slaveMem, minExecutors, maxExecutors, executorCpus, diskNeeded, executorMem,
 * idleTerminationMinutes`). An agent with n executors asks Mesos for cpus = slaveCpus +
 * n·executorCpus and mem = (slaveMem + n·executorMem) × (1 + 0.1) MB (`JVM_MEM_OVERHEAD_FACTOR`).
 *
 * **2.x** (the USI rewrite, `MesosAgentSpecTemplate`): the list is `mesosAgentSpecTemplates`, the
 * label `label`; `cpus`, `mem`, `disk` are strings, executors and `idleTerminationMinutes` ints.
 * The task asks Mesos for cpus and mem + 32 MB (`LaunchCommandBuilder.JVM_XMX`, the agent JVM's
 * `-Xmx`).
 *
 * Both: JCasC names the cloud `mesos` (`MesosCloud` minus its extension point `Cloud`). A sized
 * template gets `minExecutors`/`maxExecutors` 1: a recommendation sizes one build, so an agent
 * runs one build at a time.
 */
export type MesosPluginVersion = '1' | '2';

/** 1.x: the task's mem is (slaveMem + n·executorMem) × (1 + this). */
export const PLUGIN1_MEM_OVERHEAD_FACTOR = 0.1;
/** 2.x: the task's mem is the template's mem + this many MB. */
export const PLUGIN2_JVM_MB = 32;
/** 1.x defaults of a new template's per-executor share (config.jelly). */
export const PLUGIN1_DEFAULT_EXECUTOR_CPUS = 0.1;
export const PLUGIN1_DEFAULT_EXECUTOR_MEM_MB = 128;

export interface Plugin1Sizing {
  readonly slaveCpus: number;
  readonly executorCpus: number;
  /** MB */
  readonly slaveMem: number;
  /** MB */
  readonly executorMem: number;
}

export interface Plugin2Sizing {
  readonly cpus: number;
  /** MB */
  readonly mem: number;
}

const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

/** What Mesos is asked for by a 1.x template with `executors` executors, or a 2.x template. */
export function mesosTaskRequest(s: Plugin1Sizing | Plugin2Sizing, executors = 1): { cpus: number; memMb: number } {
  if ('slaveCpus' in s) return { cpus: round6(s.slaveCpus + executors * s.executorCpus), memMb: round6((s.slaveMem + executors * s.executorMem) * (1 + PLUGIN1_MEM_OVERHEAD_FACTOR)) };
  return { cpus: s.cpus, memMb: s.mem + PLUGIN2_JVM_MB };
}

/** The smallest whole-MB memory whose Mesos request covers `memoryBytes`. */
function targetMb(memoryBytes: number): number {
  return Math.ceil(memoryBytes / MiB - 1e-9);
}

/**
 * 1.x fields for one executor whose task gets (at least) `cpuCores` and `memoryBytes`: slaveMem +
 * executorMem = ⌈target / 1.1⌉ MB (whole MB, so Mesos gets at most 1.1 MB more than planned). The
 * per-executor share of the base template is kept where it fits (else 0, all in the slave share).
 */
export function plugin1Sizing(cpuCores: number, memoryBytes: number, executorCpus = PLUGIN1_DEFAULT_EXECUTOR_CPUS, executorMemMb = PLUGIN1_DEFAULT_EXECUTOR_MEM_MB): Plugin1Sizing {
  const target = targetMb(memoryBytes);
  let total = Math.ceil(target / (1 + PLUGIN1_MEM_OVERHEAD_FACTOR));
  while (round6(total * (1 + PLUGIN1_MEM_OVERHEAD_FACTOR)) < target) total++;
  const eMem = executorMemMb >= 0 && executorMemMb < total ? Math.round(executorMemMb) : 0;
  const eCpus = executorCpus >= 0 && executorCpus < cpuCores ? executorCpus : 0;
  return { slaveCpus: round6(cpuCores - eCpus), executorCpus: eCpus, slaveMem: total - eMem, executorMem: eMem };
}

/** 2.x fields whose task gets `cpuCores` and (at least) `memoryBytes`: mem = target − 32 MB (at least 1). */
export function plugin2Sizing(cpuCores: number, memoryBytes: number): Plugin2Sizing {
  return { cpus: cpuCores, mem: Math.max(1, targetMb(memoryBytes) - PLUGIN2_JVM_MB) };
}

const KEYS = {
  '1': { list: 'slaveInfos', label: 'labelString', other: 'mesosAgentSpecTemplates' },
  '2': { list: 'mesosAgentSpecTemplates', label: 'label', other: 'slaveInfos' },
} as const;

/** A new template when the cloud has none to copy (1.x: config.jelly defaults; 2.x: the plugin's own example). */
function defaultTemplate(version: MesosPluginVersion): Record<string, unknown> {
  return version === '1'
    ? { labelString: '', mode: 'EXCLUSIVE', diskNeeded: '0', remoteFSRoot: 'jenkins', idleTerminationMinutes: '3' }
    : { label: '', mode: 'EXCLUSIVE', disk: '0.0', idleTerminationMinutes: 3, jnlpArgs: '-noReconnect' };
}

function invalid(message: string): RightsizeError {
  return new RightsizeError('RS_ERR_JCASC_INVALID', message);
}

/** Sets `key` to `value`, keeping an existing scalar's node (comments, quoting) and its number-or-string kind. */
function setField(map: YAMLMap, key: string, value: number | string, kind: 'string' | 'number'): void {
  const node = map.get(key, true);
  if (isScalar(node)) node.value = typeof node.value === 'number' ? Number(value) : String(value);
  else map.set(key, kind === 'string' ? String(value) : value);
}

function numberField(map: YAMLMap, key: string): number | undefined {
  const node = map.get(key, true);
  const v = isScalar(node) ? Number(node.value) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

function applySize(t: YAMLMap, version: MesosPluginVersion, size: LabelSize): void {
  if (version === '1') {
    const s = plugin1Sizing(size.cpuCores, size.memoryBytes, numberField(t, 'executorCpus'), numberField(t, 'executorMem'));
    setField(t, 'slaveCpus', s.slaveCpus, 'string');
    setField(t, 'slaveMem', s.slaveMem, 'string');
    setField(t, 'executorCpus', s.executorCpus, 'string');
    setField(t, 'executorMem', s.executorMem, 'string');
    setField(t, 'minExecutors', 1, 'string');
    setField(t, 'maxExecutors', 1, 'string');
  } else {
    const s = plugin2Sizing(size.cpuCores, size.memoryBytes);
    setField(t, 'cpus', s.cpus, 'string');
    setField(t, 'mem', s.mem, 'string');
    setField(t, 'minExecutors', 1, 'number');
    setField(t, 'maxExecutors', 1, 'number');
  }
}

export interface JcascPatch {
  /** The patched document (or the bare cloud), ready to apply. */
  readonly yaml: string;
  /** Planned labels whose existing template was resized. */
  readonly changed: string[];
  /** Planned labels added as new templates (copies of the template their jobs use most today). */
  readonly added: string[];
  /** Index of the patched cloud in `jenkins.clouds`. */
  readonly cloudIndex: number;
}

/**
 * Patches the site's JCasC document (`current`; absent: a bare `jenkins.clouds[0].mesos`) with the
 * plan: a planned label that has a template gets its size fields rewritten; one that has none is
 * added as a copy of the template most of its jobs use today (else the first template, else the
 * defaults), with the planned label, `mode: EXCLUSIVE` and the size. Everything else — other
 * templates, other clouds, other keys, comments, order, quoting — is left as it was (the `yaml`
 * Document API edits the parsed nodes in place). The first `mesos` cloud of `jenkins.clouds` is
 * patched.
 *
 * @throws RightsizeError `RS_ERR_JCASC_INVALID` when `current` is not YAML, has no
 *   `jenkins.clouds[].mesos`, or holds the other plugin generation's template list.
 */
export function patchJcasc(current: string | undefined, plan: LabelPlan, version: MesosPluginVersion): JcascPatch {
  const keys = KEYS[version];
  const doc = current === undefined ? new Document({ jenkins: { clouds: [{ mesos: { [keys.list]: [] } }] } }) : parseDocument(current);
  if (doc.errors.length > 0) throw invalid(`the JCasC document is not valid YAML: ${doc.errors[0]!.message}`);
  const clouds = doc.getIn(['jenkins', 'clouds'], true);
  if (!isSeq(clouds)) throw invalid('the JCasC document has no jenkins.clouds list');
  const cloudIndex = clouds.items.findIndex((c) => isMap(c) && isMap(c.get('mesos', true)));
  if (cloudIndex < 0) throw invalid('the JCasC document has no mesos cloud in jenkins.clouds');
  const cloud = (clouds.items[cloudIndex] as YAMLMap).get('mesos', true) as unknown as YAMLMap;
  if (!cloud.has(keys.list) && cloud.has(keys.other))
    throw invalid(`the mesos cloud lists ${keys.other} (mesos-plugin ${version === '1' ? '2' : '1'}.x) but analysis.labels.pluginVersion is '${version}'`);
  let list: unknown = cloud.get(keys.list, true);
  if (list === undefined || list === null || (isScalar(list) && list.value === null)) {
    list = doc.createNode([]);
    cloud.set(keys.list, list);
  }
  if (!isSeq(list)) throw invalid(`jenkins.clouds[${cloudIndex}].mesos.${keys.list} is not a list`);
  const templates: YAMLSeq = list;
  const byLabel = new Map<string, YAMLMap>();
  for (const t of templates.items) {
    if (!isMap(t)) continue;
    const l = t.get(keys.label);
    if (typeof l === 'string' && !byLabel.has(l)) byLabel.set(l, t);
  }
  const firstTemplate = templates.items.find((t): t is YAMLMap => isMap(t));
  const changed: string[] = [];
  const added: string[] = [];
  for (const size of plan.labels) {
    const existing = byLabel.get(size.name);
    if (existing !== undefined) {
      applySize(existing, version, size);
      changed.push(size.name);
      continue;
    }
    const base = baseTemplate(plan.assignments, size.name, byLabel) ?? firstTemplate;
    const t = base !== undefined ? (base.clone() as YAMLMap) : (doc.createNode(defaultTemplate(version)) as YAMLMap);
    t.commentBefore = null;
    t.comment = null;
    setField(t, keys.label, size.name, 'string');
    setField(t, 'mode', 'EXCLUSIVE', 'string');
    applySize(t, version, size);
    templates.add(t);
    byLabel.set(size.name, t);
    added.push(size.name);
  }
  return { yaml: doc.toString({ lineWidth: 0 }), changed, added, cloudIndex };
}

/** The template most of a planned label's jobs use today (ties: the first label in name order). */
function baseTemplate(assignments: readonly PlanAssignment[], label: string, byLabel: ReadonlyMap<string, YAMLMap>): YAMLMap | undefined {
  const counts = new Map<string, number>();
  for (const a of assignments) if (a.label === label && a.currentLabel !== undefined && byLabel.has(a.currentLabel)) counts.set(a.currentLabel, (counts.get(a.currentLabel) ?? 0) + 1);
  let best: string | undefined;
  for (const [l, n] of [...counts].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) if (best === undefined || n > counts.get(best)!) best = l;
  return best === undefined ? undefined : byLabel.get(best);
}

/** One job → label move, as the `--moves-out` NDJSON line. */
export function moveRecord(m: PlanAssignment): { job: string; from: string | null; to: string; cpu_cores: number; memory_bytes: number } {
  return { job: m.key, from: m.currentLabel ?? null, to: m.label, cpu_cores: m.cpuCores, memory_bytes: m.memoryBytes };
}

/**
 * A Groovy string expression for `s` that no input can break out of: a single-quoted literal (no
 * interpolation) when `s` is printable ASCII without `'` and `\`, otherwise the UTF-8 bytes in
 * base64 decoded at run time (Groovy reads `\u` escapes anywhere in a script, so escaping inside a
 * literal is not enough).
 */
export function groovyString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s) && !/['\\]/.test(s)) return `'${s}'`;
  return `new String('${Buffer.from(s, 'utf8').toString('base64')}'.decodeBase64(), 'UTF-8')`;
}

/** `s` safe inside a `//` comment: printable ASCII only (others, and `\`, become `?`). */
function commentSafe(s: string): string {
  return s.replace(/[^\x20-\x5b\x5d-\x7e]/g, '?');
}

/**
 * A Jenkins script-console (Manage Jenkins → Script Console) snippet that assigns each moved job
 * its planned label. Freestyle, matrix and other `AbstractProject` jobs get `setAssignedLabel`;
 * Pipeline jobs keep their label in the Jenkinsfile (`agent { label '…' }`), so they are printed
 * for the team to change; names that are no job (a `…/PR-*` workload) are printed as missing.
 */
export function movesGroovy(moves: readonly PlanAssignment[]): string {
  const lines = [
    '// rightsize label plan: assign each job its planned label. Run in Manage Jenkins > Script Console',
    '// after the JCasC with the planned label templates is applied.',
    'import jenkins.model.Jenkins',
    'import hudson.model.AbstractProject',
    '',
    'def moves = [',
    ...moves.map((m) => `  [${groovyString(m.key)}, ${groovyString(m.label)}], // ${commentSafe(m.key)} -> ${commentSafe(m.label)}`),
    ']',
    '',
    'def jenkins = Jenkins.get()',
    'moves.each { m ->',
    '  def job = jenkins.getItemByFullName(m[0])',
    "  if (job == null) { println \"missing: ${m[0]}\"; return }",
    "  if (!(job instanceof AbstractProject)) { println \"set the label in the Jenkinsfile: ${m[0]} -> ${m[1]}\"; return }",
    '  job.setAssignedLabel(jenkins.getLabelAtom(m[1]))',
    '  job.save()',
    "  println \"moved: ${m[0]} -> ${m[1]}\"",
    '}',
    '',
  ];
  return lines.join('\n');
}
