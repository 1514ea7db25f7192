import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  BuildStreamAnalysis,
  planToJcascYaml,
  recommendationsCsv,
  recommendationsTable,
  withPolicy,
  type Prices,
  type RecommenderPolicy,
} from '../../analysis/index.js';
import { analyzeFromStore, wasteFromStore, windowStartMs } from '../../analysis/service/index.js';
import { wasteCsv, wasteTable } from '../../analysis/format.js';
import { wasteDocument, type WasteRow } from '../../analysis/waste/index.js';
import { loadConfig, type AnalysisConfig, type Config } from '../../config/index.js';
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


/**
 * `--plan`: the JCasC YAML is the machine-readable output (stdout, or the `--plan-out` file); the
 * commentary (method, objective, the jobs to move) goes to stderr.
 */
function printPlan(ctx: CliContext, plan: LabelPlan, planOut: string | undefined): void {
  const yaml = planToJcascYaml(plan);
  if (planOut === undefined) ctx.stdout.write(yaml);
  else
    try {
      writeFileSync(planOut, yaml);
    } catch (err) {
      throw new RightsizeError('RS_ERR_TRACE_READ', `cannot write --plan-out ${planOut}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  writeLine(ctx.stderr, `label plan (${plan.method}): ${plan.labels.length} size(s), objective ${plan.cost.toFixed(1)} weighted reserved hours/week${planOut !== undefined ? `; JCasC YAML written to ${planOut}` : ''}`);
  writeLine(ctx.stderr, `jobs to move (${plan.moves.length}):`);
  for (const m of plan.moves) writeLine(ctx.stderr, `  ${m.key}: ${m.currentLabel ?? '(no label)'} -> ${m.label}`);
}

function printResult(ctx: CliContext, format: string, docs: readonly RecommendationDoc[], plan: LabelPlan | undefined, planOut?: string): void {
  if (plan !== undefined) {
    printPlan(ctx, plan, planOut);
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
async function analyzeElasticsearch(opts: AnalyzeOptions, ctx: CliContext, format: string, k: number | undefined, config: Config): Promise<void> {
  const policy = runPolicy(config.analysis, opts);
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
    else printResult(ctx, format, [...result.jobs, ...(opts.labels === true ? result.labels : []), ...result.apps], result.plan, opts.planOut);
  } finally {
    await client.close();
  }
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
    .option('--window <duration>', 'history window, e.g. 30d (default: analysis.windowDays, 30)')
    .option('--waste', 'print the weekly waste per job, label and cluster (reserved − used core-hours and GiB-hours; cost with analysis.prices) instead of the recommendations')
    .option('--split-branch-kind', 'size pull-request branches of multibranch jobs (…/PR-n) as one workload …/PR-* (default: analysis.splitBranchKind)')
    .action(async (opts: AnalyzeOptions) => {
      const format = opts.format ?? (opts.from === undefined ? 'table' : 'json');
      if (opts.planOut !== undefined && (opts.plan === undefined || opts.plan === false)) throw new RightsizeError('RS_ERR_CLI_USAGE', '--plan-out needs --plan');
      if (opts.from !== undefined && opts.print !== true)
        throw new RightsizeError('RS_ERR_CLI_USAGE', 'analyze --from <file> prints only (add --print); to write recommendations, analyze from Elasticsearch (no --from)');
      windowDaysOption(opts.window); // a bad --window or --now fails before any file or server is read
      const nowMs = instantOption(opts.now);
      const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const maxSizes = config.analysis.labelPlan.maxSizes;
      const k = opts.plan === undefined || opts.plan === false ? undefined : opts.plan === true ? maxSizes : intOption(opts.plan, '--plan', maxSizes, 1);
      if (opts.from === undefined) {
        await analyzeElasticsearch(opts, ctx, format, k, config);
        return;
      }
      const policy = runPolicy(config.analysis, opts);
      // Streamed: per job only the newest maxBuilds usable builds are kept (memory bounded by jobs, not builds).
      const stream = new BuildStreamAnalysis(policy, nowMs);
      await readTrace(opts.from, ctx, (b) => stream.add(b), policy.splitBranchKind);
      const prices = pricesFromConfig(config.analysis);
      const result = stream.finish({ ...(k !== undefined ? { planK: k } : {}), ...(prices !== undefined ? { prices } : {}) });
      if (opts.waste === true) printWaste(ctx, format, result.waste.rows);
      else printResult(ctx, format, opts.labels === true ? [...result.jobs, ...result.labels] : result.jobs, result.plan, opts.planOut);
    });
}
