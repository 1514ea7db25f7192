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
import { RightsizeError } from '../../errors/index.js';
import { parseDurationMs } from '../../util/index.js';
import { writeLine, type CliContext } from '../context.js';
import { intOption, readTrace } from './replay.js';

interface AnalyzeOptions {
  from?: string;
  print?: boolean;
  format: string;
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

/** `rightsize analyze`. */
export function registerAnalyzeCommand(program: Command, ctx: CliContext): void {
  program
    .command('analyze')
    .description(
      'Recommend CPU and memory per Jenkins job (and label) from builds documents. This build supports the offline path only: --from <trace.ndjson> --print.',
    )
    .option('--from <file>', 'read builds documents from an NDJSON file instead of Elasticsearch')
    .option('--print', 'print the recommendation documents instead of writing them to Elasticsearch')
    .option('--format <format>', 'json (NDJSON recommendation documents) | table (sorted by savings) | csv', 'json')
    .option('--now <instant>', 'evaluate as of this instant (ISO-8601 or epoch ms; default: the newest build end)')
    .option('--labels', 'also emit one jenkins.label recommendation per label')
    .option('--plan [k]', 'print a label plan with at most k sizes (default 4) as mesos-plugin JCasC YAML plus the jobs to move')
    .option('--window <duration>', 'history window, e.g. 30d (default 30d)')
    .option('--split-branch-kind', 'size pull-request branches of multibranch jobs (…/PR-n) as one workload …/PR-*')
    .action((opts: AnalyzeOptions) => {
      if (opts.from === undefined)
        throw new RightsizeError(
          'RS_ERR_CLI_USAGE',
          'analyze without --from needs Elasticsearch; not implemented in this build (use: rightsize analyze --from <trace.ndjson> --print)',
        );
      if (opts.print !== true)
        throw new RightsizeError(
          'RS_ERR_CLI_USAGE',
          'writing recommendations needs Elasticsearch; not implemented in this build (add --print to print them)',
        );
      if (!['json', 'table', 'csv'].includes(opts.format)) throw new RightsizeError('RS_ERR_CLI_USAGE', `--format must be json, table or csv, got "${opts.format}"`);
      const k = opts.plan === undefined || opts.plan === false ? undefined : opts.plan === true ? 4 : intOption(opts.plan, '--plan', 4, 1);
      let windowDays = DEFAULT_POLICY.windowDays;
      if (opts.window !== undefined) {
        const ms = parseDurationMs(opts.window);
        if (ms === undefined || ms < 86_400_000) throw new RightsizeError('RS_ERR_CLI_USAGE', `--window must be a duration of at least 1d, e.g. 30d; got "${opts.window}"`);
        windowDays = ms / 86_400_000;
      }
      const policy = withPolicy({ splitBranchKind: opts.splitBranchKind === true, windowDays });
      const records = readTrace(opts.from, ctx).map((d) => toBuildRecord(d, policy.splitBranchKind));
      const nowMs = parseNow(opts.now, records);
      const result = analyzeBuilds(records, { policy, nowMs, ...(k !== undefined ? { planK: k } : {}) });
      const jobs = result.jobs;
      if (result.plan !== undefined) {
        const plan = result.plan;
        ctx.stdout.write(`# label plan (${plan.method}): ${plan.labels.length} size(s), objective ${plan.cost.toFixed(1)} weighted reserved hours/week\n`);
        ctx.stdout.write(planToJcascYaml(plan));
        ctx.stdout.write(`# jobs to move (${plan.moves.length}):\n`);
        for (const m of plan.moves) ctx.stdout.write(`#   ${m.key}: ${m.currentLabel ?? '(no label)'} -> ${m.label}\n`);
        return;
      }
      const docs = opts.labels === true ? [...jobs, ...result.labels] : jobs;
      if (opts.format === 'table') ctx.stdout.write(recommendationsTable(docs));
      else if (opts.format === 'csv') ctx.stdout.write(recommendationsCsv(docs));
      else for (const d of docs) writeLine(ctx.stdout, JSON.stringify(d));
    });
}
