import type { Command } from 'commander';
import {
  DEFAULT_POLICY,
  analyzeBuilds,
  planToJcascYaml,
  recommendationsCsv,
  recommendationsTable,
  toBuildRecord,
  withPolicy,
  type BuildRecord,
} from '../../analysis/index.js';
import { analyzeFromStore } from '../../analysis/service/index.js';
import { loadConfig } from '../../config/index.js';
import { RightsizeError } from '../../errors/index.js';
import { createEsClient } from '../../store/index.js';
import { parseDurationMs } from '../../util/index.js';
import type { RecommendationDoc } from '../../model/index.js';
import type { LabelPlan } from '../../analysis/index.js';
import { writeLine, type CliContext } from '../context.js';
import { intOption, readTrace } from './replay.js';

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
}

function parseNow(text: string | undefined, records: readonly BuildRecord[]): number {
  if (text === undefined) {
    // Offline default: the end of the newest build, so a trace always yields the same output.
    let max = -Infinity;
    for (const r of records) max = Math.max(max, r.endMs);
    return max;
  }
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new RightsizeError('RS_ERR_CLI_USAGE', `--now must be an ISO-8601 instant or epoch ms, got "${text}"`);
  return ms;
}

/** `--window` in days (at least one day), or the policy default. */
export function windowDaysOption(text: string | undefined): number {
  if (text === undefined) return DEFAULT_POLICY.windowDays;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms < 86_400_000) throw new RightsizeError('RS_ERR_CLI_USAGE', `--window must be a duration of at least 1d, e.g. 30d; got "${text}"`);
  return ms / 86_400_000;
}

function printResult(ctx: CliContext, format: string, docs: readonly RecommendationDoc[], plan: LabelPlan | undefined): void {
  if (plan !== undefined) {
    ctx.stdout.write(`# label plan (${plan.method}): ${plan.labels.length} size(s), objective ${plan.cost.toFixed(1)} weighted reserved hours/week\n`);
    ctx.stdout.write(planToJcascYaml(plan));
    ctx.stdout.write(`# jobs to move (${plan.moves.length}):\n`);
    for (const m of plan.moves) ctx.stdout.write(`#   ${m.key}: ${m.currentLabel ?? '(no label)'} -> ${m.label}\n`);
    return;
  }
  if (format === 'table') ctx.stdout.write(recommendationsTable(docs));
  else if (format === 'csv') ctx.stdout.write(recommendationsCsv(docs));
  else for (const d of docs) writeLine(ctx.stdout, JSON.stringify(d));
}

/** The Elasticsearch path: read builds, write recommendations + history (unless --dry-run/--print), print. */
async function analyzeElasticsearch(opts: AnalyzeOptions, ctx: CliContext, format: string, k: number | undefined, windowDays: number): Promise<void> {
  const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
  const policy = withPolicy({ splitBranchKind: opts.splitBranchKind === true, windowDays });
  const runMs = Date.now();
  const nowMs = opts.now === undefined ? runMs : parseNow(opts.now, []);
  const dryRun = opts.dryRun === true || opts.print === true;
  const client = createEsClient(config.elasticsearch);
  try {
    const result = await analyzeFromStore({
      client,
      prefix: config.elasticsearch.indexPrefix,
      url: config.elasticsearch.url,
      policy,
      nowMs,
      runMs,
      dryRun,
      pageSize: intOption(opts.pageSize, '--page-size', 500, 1),
      ...(k !== undefined ? { planK: k } : {}),
    });
    const s = result.stats;
    const w = s.write;
    writeLine(
      ctx.stderr,
      `analyzed ${s.jobs} job(s), ${s.builds} build(s) in ${s.pages} page(s)` +
        (s.skippedBuilds + s.badFields + s.skippedBuckets > 0 ? `; skipped ${s.skippedBuilds} malformed build(s), ${s.skippedBuckets} bucket(s), dropped ${s.badFields} malformed field(s)` : '') +
        (dryRun ? '; dry run: nothing written' : `; recommendations: ${w.written} written, ${w.unchanged} unchanged; history: ${w.history} written` + (w.historyExisting > 0 ? `, ${w.historyExisting} already present` : '')),
    );
    if (s.jobs === 0)
      writeLine(ctx.stderr, `note: no builds documents in ${config.elasticsearch.indexPrefix}-builds-* ended between ${new Date(nowMs - windowDays * 86_400_000).toISOString()} and ${new Date(nowMs).toISOString()}`);
    if (w.failed > 0) {
      writeLine(ctx.stderr, `error: Elasticsearch refused ${w.failed} document(s):`);
      for (const f of w.failures) writeLine(ctx.stderr, `  ${f}`);
      ctx.exitCode = 1;
    }
    printResult(ctx, format, opts.labels === true ? [...result.jobs, ...result.labels] : result.jobs, result.plan);
  } finally {
    await client.close();
  }
}

/** `rightsize analyze`. */
export function registerAnalyzeCommand(program: Command, ctx: CliContext): void {
  program
    .command('analyze')
    .description(
      'Recommend CPU and memory per Jenkins job (and label) from the builds documents in Elasticsearch, write the recommendations ' +
        '(latest per workload + history) and print a table sorted by weekly savings. With --from <trace.ndjson> --print: the same from a file, offline.',
    )
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .option('--dry-run', 'read from Elasticsearch and print, but write nothing')
    .option('--page-size <n>', 'jobs per composite aggregation page (default 500)')
    .option('--from <file>', 'read builds documents from an NDJSON file instead of Elasticsearch')
    .option('--print', 'print the recommendation documents instead of writing them to Elasticsearch (with Elasticsearch: same as --dry-run)')
    .option('--format <format>', 'json (NDJSON recommendation documents) | table (sorted by savings) | csv (default: json with --from, table otherwise)')
    .option('--now <instant>', 'evaluate as of this instant (ISO-8601 or epoch ms; default: the newest build end with --from, the current time otherwise)')
    .option('--labels', 'also emit one jenkins.label recommendation per label')
    .option('--plan [k]', 'print a label plan with at most k sizes (default 4) as mesos-plugin JCasC YAML plus the jobs to move')
    .option('--window <duration>', 'history window, e.g. 30d (default 30d)')
    .option('--split-branch-kind', 'size pull-request branches of multibranch jobs (…/PR-n) as one workload …/PR-*')
    .action(async (opts: AnalyzeOptions) => {
      const format = opts.format ?? (opts.from === undefined ? 'table' : 'json');
      if (!['json', 'table', 'csv'].includes(format)) throw new RightsizeError('RS_ERR_CLI_USAGE', `--format must be json, table or csv, got "${format}"`);
      const k = opts.plan === undefined || opts.plan === false ? undefined : opts.plan === true ? 4 : intOption(opts.plan, '--plan', 4, 1);
      const windowDays = windowDaysOption(opts.window);
      if (opts.from === undefined) {
        await analyzeElasticsearch(opts, ctx, format, k, windowDays);
        return;
      }
      if (opts.print !== true)
        throw new RightsizeError('RS_ERR_CLI_USAGE', 'analyze --from <file> prints only (add --print); to write recommendations, analyze from Elasticsearch (no --from)');
      const policy = withPolicy({ splitBranchKind: opts.splitBranchKind === true, windowDays });
      const records = readTrace(opts.from, ctx).map((d) => toBuildRecord(d, policy.splitBranchKind));
      const nowMs = parseNow(opts.now, records);
      const result = analyzeBuilds(records, { policy, nowMs, ...(k !== undefined ? { planK: k } : {}) });
      printResult(ctx, format, opts.labels === true ? [...result.jobs, ...result.labels] : result.jobs, result.plan);
    });
}
