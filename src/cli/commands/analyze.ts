import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  BuildStreamAnalysis,
  OverrideSet,
  moveRecord,
  movesGroovy,
  patchJcasc,
  type ExcludedWorkload,
  type MesosPluginVersion,
  type WorkloadOverride,
  recommendationsCsv,
  recommendationsTable,
  withPolicy,
  type Prices,
  type RecommenderPolicy,
} from '../../analysis/index.js';
import { analyzeFromStore, wasteFromStore, windowStartMs } from '../../analysis/service/index.js';
import { wasteCsv, wasteTable } from '../../analysis/format.js';
import { wasteDocument, type WasteRow } from '../../analysis/waste/index.js';
import { globList, loadConfig, type AnalysisConfig, type Config } from '../../config/index.js';
import { RightsizeError } from '../../errors/index.js';
import { createEsClient } from '../../store/index.js';
import { DAY_MS, parseBytes } from '../../util/index.js';
import type { RecommendationDoc } from '../../model/index.js';
import type { LabelPlan } from '../../analysis/index.js';
import { writeLine, type CliContext } from '../context.js';
import { configOption, formatOption, instantOption, intOption, windowDaysOption } from '../options.js';
import { ensureTemplates } from '../templates.js';
import { readTrace } from '../traceInput.js';

interface AnalyzeOptions {
  from?: string;
  print?: boolean;
  format?: string;
  config?: string;
  dryRun?: boolean;
  pageSize?: string;
  now?: string;
  labels?: boolean;
  plan?: string | boolean;
  splitBranchKind?: boolean;
  window?: string;
  waste?: boolean;
  planOut?: string;
  jcasc?: string;
  movesOut?: string;
  movesGroovy?: string;
  pluginVersion?: string;
}

/** A size the config validation has already accepted (bytes or a `parseBytes` string). */
function sizeBytes(v: number | string, path: string): number {
  const b = parseBytes(v);
  if (b === undefined) throw new RightsizeError('RS_ERR_CLI_USAGE', `${path} is not a size: ${JSON.stringify(v)}`);
  return b;
}

/**
 * The recommender policy of `config.analysis` (pure). It lives here, in the composition root,
 * because `src/analysis` may not import `src/config` (docs/development.md): the config section is
 * plain data, and this is the one place that maps it onto {@link RecommenderPolicy}. Tunables the
 * config does not expose keep their `DEFAULT_POLICY` value.
 */
export function policyFromConfig(a: AnalysisConfig): RecommenderPolicy {
  return withPolicy({
    windowDays: a.windowDays,
    maxBuilds: a.maxBuilds,
    minBuilds: a.minBuilds,
    bigDecreaseFraction: a.decreaseEvidence.fraction,
    bigDecreaseMinBuilds: a.decreaseEvidence.minBuilds,
    bigDecreaseMinDays: a.decreaseEvidence.minDays,
    splitBranchKind: a.splitBranchKind,
    cpu: { percentile: a.cpu.percentile, headroom: a.cpu.headroom, floor: a.cpu.floorCores, cap: a.cpu.capCores },
    memory: {
      percentile: a.memory.percentile,
      headroom: a.memory.headroom,
      headroomAbsolute: sizeBytes(a.memory.headroomBytes, 'analysis.memory.headroomBytes'),
      floor: sizeBytes(a.memory.floorBytes, 'analysis.memory.floorBytes'),
      cap: sizeBytes(a.memory.capBytes, 'analysis.memory.capBytes'),
    },
  });
}

/**
 * `config.analysis.overrides` as the analysis takes them (pure; sizes already validated). An
 * entry's id in the reasons is its `name`, else its index. Undefined when there are none.
 */
export function overridesFromConfig(a: AnalysisConfig): OverrideSet | undefined {
  if (a.overrides.length === 0) return undefined;
  const entries: WorkloadOverride[] = a.overrides.map((o, i) => {
    const at = `analysis.overrides[${i}]`;
    const size = (v: number | string | undefined, key: string): number | undefined => (v === undefined ? undefined : sizeBytes(v, `${at}.memory.${key}`));
    const cpu = o.cpu === undefined ? undefined : { min: o.cpu.minCores, max: o.cpu.maxCores, percentile: o.cpu.percentile, headroom: o.cpu.headroom };
    const memory =
      o.memory === undefined
        ? undefined
        : { min: size(o.memory.minBytes, 'minBytes'), max: size(o.memory.maxBytes, 'maxBytes'), percentile: o.memory.percentile, headroom: o.memory.headroom, headroomAbsolute: size(o.memory.headroomBytes, 'headroomBytes') };
    const defined = <T extends object>(x: T | undefined): T | undefined =>
      x === undefined ? undefined : (Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as T);
    const c = defined(cpu);
    const m = defined(memory);
    const jobGlobs = globList(o.match.job);
    const labelGlobs = globList(o.match.label);
    return {
      id: o.name ?? String(i),
      ...(jobGlobs.length > 0 ? { jobGlobs } : {}),
      ...(labelGlobs.length > 0 ? { labelGlobs } : {}),
      ...(o.exclude === true ? { exclude: true } : {}),
      ...(c !== undefined ? { cpu: c } : {}),
      ...(m !== undefined ? { memory: m } : {}),
    };
  });
  return new OverrideSet(entries);
}

/** The stderr line about `analysis.overrides`: how many jobs were excluded, and by which entries. */
function overridesLine(ctx: CliContext, set: OverrideSet | undefined, excluded: readonly ExcludedWorkload[]): void {
  if (set === undefined) return;
  const byEntry = new Map<string, number>();
  for (const e of excluded) byEntry.set(e.override, (byEntry.get(e.override) ?? 0) + 1);
  writeLine(
    ctx.stderr,
    `overrides: ${set.size} entr${set.size === 1 ? 'y' : 'ies'}; excluded ${excluded.length} job(s) from the recommendations` +
      (byEntry.size > 0 ? ` (${[...byEntry].map(([id, n]) => `${id}: ${n}`).join(', ')})` : ''),
  );
}

/** `config.analysis.prices` as the waste computation takes them (absent: no money). */
export function pricesFromConfig(a: AnalysisConfig): Prices | undefined {
  const p = a.prices;
  if (p === undefined) return undefined;
  return { perCoreHour: p.perCoreHour, perGibHour: p.perGibHour, ...(p.currency !== undefined ? { currency: p.currency } : {}) };
}

/** The policy of a run: `config.analysis`, then the flags that override it (`--window`, `--split-branch-kind`). */
export function runPolicy(a: AnalysisConfig, flags: { readonly window?: string; readonly splitBranchKind?: boolean }): RecommenderPolicy {
  const base = policyFromConfig(a);
  const windowDays = windowDaysOption(flags.window);
  return withPolicy({ ...(windowDays !== undefined ? { windowDays } : {}), ...(flags.splitBranchKind === true ? { splitBranchKind: true } : {}) }, base);
}


/** What `--plan` writes besides the YAML: the plugin generation, the site's JCasC, the move files. */
interface PlanOutput {
  readonly version: MesosPluginVersion;
  /** The site's current JCasC YAML (`--jcasc`), already checked to have a mesos cloud. */
  readonly current?: string;
  readonly planOut?: string;
  readonly movesOut?: string;
  readonly movesGroovy?: string;
}

function writeOut(file: string, text: string, flag: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new RightsizeError('RS_ERR_TRACE_READ', `cannot write ${flag} ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Control characters of a job name shown on the terminal become `?`. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- that is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * `--plan`: the JCasC YAML is the machine-readable output (stdout, or the `--plan-out` file): the
 * site's document (`--jcasc`) patched, else a bare cloud. The job → label moves go to
 * `--moves-out` (NDJSON) and `--moves-groovy` (a script-console snippet); the commentary
 * (method, objective, templates changed/added, the jobs to move) to stderr.
 */
function printPlan(ctx: CliContext, plan: LabelPlan, out: PlanOutput): void {
  const patch = patchJcasc(out.current, plan, out.version);
  if (out.planOut === undefined) ctx.stdout.write(patch.yaml);
  else writeOut(out.planOut, patch.yaml, '--plan-out');
  if (out.movesOut !== undefined) writeOut(out.movesOut, plan.moves.map((m) => JSON.stringify(moveRecord(m)) + '\n').join(''), '--moves-out');
  if (out.movesGroovy !== undefined) writeOut(out.movesGroovy, movesGroovy(plan.moves), '--moves-groovy');
  writeLine(
    ctx.stderr,
    `label plan (${plan.method}): ${plan.labels.length} size(s), objective ${plan.cost.toFixed(1)} weighted reserved hours/week; mesos-plugin ${out.version}.x` +
      (out.current !== undefined ? `; jenkins.clouds[${patch.cloudIndex}].mesos: ${patch.changed.length} template(s) resized, ${patch.added.length} added` : '') +
      (out.planOut !== undefined ? `; JCasC YAML written to ${out.planOut}` : ''),
  );
  writeLine(ctx.stderr, `jobs to move (${plan.moves.length}):`);
  for (const m of plan.moves) writeLine(ctx.stderr, `  ${printable(m.key)}: ${printable(m.currentLabel ?? '(no label)')} -> ${m.label}`);
}

function printResult(ctx: CliContext, format: string, docs: readonly RecommendationDoc[], plan: LabelPlan | undefined, planOutput: PlanOutput): void {
  if (plan !== undefined) {
    printPlan(ctx, plan, planOutput);
    return;
  }
  if (format === 'table') ctx.stdout.write(recommendationsTable(docs));
  else if (format === 'csv') ctx.stdout.write(recommendationsCsv(docs));
  else for (const d of docs) writeLine(ctx.stdout, JSON.stringify(d));
}

/** `--waste`: the weekly waste rows in the chosen format (json: NDJSON of the waste documents). */
function printWaste(ctx: CliContext, format: string, rows: readonly WasteRow[]): void {
  if (format === 'table') ctx.stdout.write(wasteTable(rows));
  else if (format === 'csv') ctx.stdout.write(wasteCsv(rows));
  else for (const r of rows) writeLine(ctx.stdout, JSON.stringify(wasteDocument(r)));
}

/** The Elasticsearch path: read builds, write recommendations + history (unless --dry-run/--print), print. */
async function analyzeElasticsearch(opts: AnalyzeOptions, ctx: CliContext, format: string, k: number | undefined, config: Config, planOutput: PlanOutput): Promise<void> {
  const policy = runPolicy(config.analysis, opts);
  const overrides = overridesFromConfig(config.analysis);
  const windowDays = policy.windowDays;
  const runMs = Date.now();
  const nowMs = instantOption(opts.now) ?? runMs;
  const dryRun = opts.dryRun === true || opts.print === true;
  const client = createEsClient(config.elasticsearch);
  try {
    // Mappings first: on a store where `collect` never ran, the writes below would get dynamic ones.
    if (!dryRun) await ensureTemplates(client, config);
    const result = await analyzeFromStore({
      client,
      prefix: config.elasticsearch.indexPrefix,
      url: config.elasticsearch.url,
      policy,
      nowMs,
      runMs,
      dryRun,
      pageSize: intOption(opts.pageSize, '--page-size', 500, 1),
      writeLabels: true,
      ...(k !== undefined ? { planK: k } : {}),
      ...(overrides !== undefined ? { overrides } : {}),
    });
    const prices = pricesFromConfig(config.analysis);
    const waste = await wasteFromStore({
      client,
      prefix: config.elasticsearch.indexPrefix,
      fromMs: windowStartMs(nowMs, windowDays),
      toMs: nowMs,
      splitBranchKind: policy.splitBranchKind,
      dryRun,
      ...(prices !== undefined ? { prices } : {}),
    });
    const s = result.stats;
    const w = s.write;
    writeLine(
      ctx.stderr,
      `analyzed ${s.jobs} job(s), ${s.builds} build(s) in ${s.pages} page(s)` +
        (s.skippedBuilds + s.badFields + s.skippedBuckets > 0 ? `; skipped ${s.skippedBuilds} malformed build(s), ${s.skippedBuckets} bucket(s), dropped ${s.badFields} malformed field(s)` : '') +
        (dryRun ? '; dry run: nothing written' : `; recommendations: ${w.written} written, ${w.unchanged} unchanged; history: ${w.history} written` + (w.historyExisting > 0 ? `, ${w.historyExisting} already present` : '')),
    );
    overridesLine(ctx, overrides, result.excluded);
    if (s.excludedDeleted > 0) writeLine(ctx.stderr, `overrides: deleted ${s.excludedDeleted} stored recommendation(s) of excluded jobs (their history stays)`);
    const lw = s.labelWrite;
    writeLine(
      ctx.stderr,
      `waste: ${waste.rows.length} weekly row(s) from ${waste.scanned} build(s) since ${new Date(waste.fromMs).toISOString().slice(0, 10)}` +
        (waste.skipped + waste.malformed > 0 ? ` (${waste.skipped} without request or usage, ${waste.malformed} malformed, not counted)` : '') +
        (dryRun ? '' : `; ${waste.write.written} written; labels: ${lw.written} written, ${lw.unchanged} unchanged`),
    );
    const aw = s.appWrite;
    if (s.apps > 0)
      writeLine(
        ctx.stderr,
        `Marathon apps: ${s.apps} app(s) from ${s.appWindows} hourly window(s) of mesos.executor readings` +
          (dryRun ? '' : `; ${aw.written} written, ${aw.unchanged} unchanged; history: ${aw.history} written`),
      );
    if (s.jobs === 0)
      writeLine(ctx.stderr, `note: no builds documents in ${config.elasticsearch.indexPrefix}-builds-* ended between ${new Date(nowMs - windowDays * DAY_MS).toISOString()} and ${new Date(nowMs).toISOString()}`);
    const failed = w.failed + lw.failed + aw.failed + waste.write.failed;
    if (failed > 0) {
      writeLine(ctx.stderr, `error: Elasticsearch refused ${failed} document(s):`);
      for (const f of [...w.failures, ...lw.failures, ...aw.failures, ...waste.write.failures]) writeLine(ctx.stderr, `  ${f}`);
      ctx.exitCode = 1;
    }
    if (opts.waste === true) printWaste(ctx, format, waste.rows);
    // Marathon apps (kind marathon.app) are listed with the jobs: they are workloads of their own.
    else printResult(ctx, format, [...result.jobs, ...(opts.labels === true ? result.labels : []), ...result.apps], result.plan, planOutput);
  } finally {
    await client.close();
  }
}

/** The `--plan` outputs of the flags and config; `--jcasc` is read and checked before any analysis. */
function planOutputOf(opts: AnalyzeOptions, a: AnalysisConfig): PlanOutput {
  const version = (opts.pluginVersion ?? a.labels.pluginVersion) as MesosPluginVersion;
  let current: string | undefined;
  if (opts.jcasc !== undefined) {
    try {
      current = readFileSync(opts.jcasc, 'utf8');
    } catch (err) {
      throw new RightsizeError('RS_ERR_JCASC_INVALID', `cannot read --jcasc ${opts.jcasc}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    // Fails now (not after the analysis) when the document has no mesos cloud of this generation.
    patchJcasc(current, { labels: [], assignments: [], cost: 0, method: 'exact', moves: [] }, version);
  }
  return {
    version,
    ...(current !== undefined ? { current } : {}),
    ...(opts.planOut !== undefined ? { planOut: opts.planOut } : {}),
    ...(opts.movesOut !== undefined ? { movesOut: opts.movesOut } : {}),
    ...(opts.movesGroovy !== undefined ? { movesGroovy: opts.movesGroovy } : {}),
  };
}

/** `rightsize analyze`. */
export function registerAnalyzeCommand(program: Command, ctx: CliContext): void {
  program
    .command('analyze')
    .description(
      'Recommend CPU and memory per Jenkins job (and label) from the builds documents in Elasticsearch, and per Marathon app (per instance) from its ' +
        'mesos.executor readings, write the recommendations (latest per job, label and app + history) and the weekly waste, and print a table sorted by weekly savings. With --from <trace.ndjson> --print: the same from a file, offline.',
    )
    .addOption(configOption())
    .option('--dry-run', 'read from Elasticsearch and print, but write nothing')
    .option('--page-size <n>', 'jobs per composite aggregation page (default 500)')
    .option('--from <file>', 'read builds documents from an NDJSON trace instead of Elasticsearch (- for standard input; gzip is read directly)')
    .option('--print', 'print the recommendation documents instead of writing them to Elasticsearch (with Elasticsearch: same as --dry-run)')
    .addOption(formatOption(['json', 'table', 'csv'], 'json (NDJSON recommendation documents) | table (sorted by savings) | csv (default: json with --from, table otherwise)'))
    .option('--now <instant>', 'evaluate as of this instant (ISO-8601 or epoch ms; default: the newest build end with --from, the current time otherwise)')
    .option('--labels', 'also emit one jenkins.label recommendation per label')
    .option('--plan [k]', 'print a label plan with at most k sizes (default: analysis.labelPlan.maxSizes, 4) as mesos-plugin JCasC YAML on stdout; the jobs to move go to stderr')
    .option('--plan-out <file>', 'with --plan: write the JCasC YAML to this file instead of stdout')
    .option('--jcasc <file>', "with --plan: the site's current JCasC YAML; the output is that document with the planned label templates resized or added and every other field kept, ready to apply")
    .option('--plugin-version <1|2>', "with --plan: mesos-plugin generation to write for (default: analysis.labels.pluginVersion, '1'); the sizes written subtract the plugin's overhead (1.x: Mesos gets 1.1 × (slaveMem + executorMem); 2.x: mem + 32 MB)")
    .option('--moves-out <file>', 'with --plan: write the job -> label moves as NDJSON ({"job","from","to","cpu_cores","memory_bytes"} per line)')
    .option('--moves-groovy <file>', "with --plan: write a Jenkins script-console (Groovy) snippet that assigns each moved job its planned label")
    .option('--window <duration>', 'history window, e.g. 30d (default: analysis.windowDays, 30)')
    .option('--waste', 'print the weekly waste per job, label and cluster (reserved − used core-hours and GiB-hours; cost with analysis.prices) instead of the recommendations')
    .option('--split-branch-kind', 'size pull-request branches of multibranch jobs (…/PR-n) as one workload …/PR-* (default: analysis.splitBranchKind)')
    .action(async (opts: AnalyzeOptions) => {
      const format = opts.format ?? (opts.from === undefined ? 'table' : 'json');
      for (const [flag, v] of [['--plan-out', opts.planOut], ['--jcasc', opts.jcasc], ['--plugin-version', opts.pluginVersion], ['--moves-out', opts.movesOut], ['--moves-groovy', opts.movesGroovy]] as const)
        if (v !== undefined && (opts.plan === undefined || opts.plan === false)) throw new RightsizeError('RS_ERR_CLI_USAGE', `${flag} needs --plan`);
      if (opts.pluginVersion !== undefined && opts.pluginVersion !== '1' && opts.pluginVersion !== '2')
        throw new RightsizeError('RS_ERR_CLI_USAGE', `--plugin-version must be 1 or 2, not ${JSON.stringify(opts.pluginVersion)}`);
      if (opts.from !== undefined && opts.print !== true)
        throw new RightsizeError('RS_ERR_CLI_USAGE', 'analyze --from <file> prints only (add --print); to write recommendations, analyze from Elasticsearch (no --from)');
      windowDaysOption(opts.window); // a bad --window or --now fails before any file or server is read
      const nowMs = instantOption(opts.now);
      const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const maxSizes = config.analysis.labelPlan.maxSizes;
      const k = opts.plan === undefined || opts.plan === false ? undefined : opts.plan === true ? maxSizes : intOption(opts.plan, '--plan', maxSizes, 1);
      const planOutput = planOutputOf(opts, config.analysis);
      if (opts.from === undefined) {
        await analyzeElasticsearch(opts, ctx, format, k, config, planOutput);
        return;
      }
      const policy = runPolicy(config.analysis, opts);
      const overrides = overridesFromConfig(config.analysis);
      // Streamed: per job only the newest maxBuilds usable builds are kept (memory bounded by jobs, not builds).
      const stream = new BuildStreamAnalysis(policy, nowMs);
      await readTrace(opts.from, ctx, (b) => stream.add(b), policy.splitBranchKind);
      const prices = pricesFromConfig(config.analysis);
      const result = stream.finish({ ...(k !== undefined ? { planK: k } : {}), ...(prices !== undefined ? { prices } : {}), ...(overrides !== undefined ? { overrides } : {}) });
      overridesLine(ctx, overrides, result.excluded);
      if (opts.waste === true) printWaste(ctx, format, result.waste.rows);
      else printResult(ctx, format, opts.labels === true ? [...result.jobs, ...result.labels] : result.jobs, result.plan, planOutput);
    });
}
