import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  clairvoyantPolicy,
  generateTrace,
  krrPolicy,
  midpointMs,
  oursPolicy,
  parseTrace,
  replayTable,
  runReplay,
  statusQuoPolicy,
  staticOraclePolicy,
  toBuildRecord,
  toNdjson,
  vpaPolicy,
  DEFAULT_POLICY,
  type BuildRecord,
  type ReplayPolicy,
} from '../../analysis/index.js';
import type { BuildDoc } from '../../model/index.js';
import { exportTrace } from '../../analysis/service/index.js';
import { loadConfig } from '../../config/index.js';
import { RightsizeError } from '../../errors/index.js';
import { createEsClient } from '../../store/index.js';
import { DAY_MS, parseDurationMs } from '../../util/index.js';
import { writeLine, type CliContext } from '../context.js';

export const POLICY_NAMES = ['status_quo', 'krr', 'vpa', 'ours', 'oracle_build', 'oracle_static'] as const;

/** Parses a non-negative integer option or throws a coded usage error. */
export function intOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new RightsizeError('RS_ERR_CLI_USAGE', `${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

/**
 * Reads and parses an NDJSON trace of builds documents; bad lines are skipped and reported on
 * stderr (first five with line numbers). Fails with a coded error when the file cannot be read
 * or holds no valid build.
 */
export function readTrace(file: string, ctx: CliContext): BuildDoc[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RightsizeError('RS_ERR_CLI_USAGE', `cannot read trace ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const parsed = parseTrace(text);
  if (parsed.problems.length > 0) {
    writeLine(ctx.stderr, `warning: skipped ${parsed.problems.length} of ${parsed.lines} line(s) of ${file}`);
    for (const p of parsed.problems.slice(0, 5)) writeLine(ctx.stderr, `  line ${p.line}: ${p.code}: ${p.message}`);
  }
  if (parsed.builds.length === 0) throw new RightsizeError('RS_ERR_PARSE_SHAPE', `${file} holds no valid builds document (${parsed.lines} non-empty line(s))`);
  return parsed.builds;
}

function makePolicies(names: readonly string[], records: readonly BuildRecord[], evalFromMs: number): ReplayPolicy[] {
  return names.map((n) => {
    switch (n) {
      case 'status_quo':
        return statusQuoPolicy();
      case 'krr':
        return krrPolicy();
      case 'vpa':
        return vpaPolicy();
      case 'ours':
        return oursPolicy(DEFAULT_POLICY);
      case 'oracle_build':
        return clairvoyantPolicy();
      case 'oracle_static':
        return staticOraclePolicy(records, evalFromMs);
      default:
        throw new RightsizeError('RS_ERR_CLI_USAGE', `unknown policy "${n}" (known: ${POLICY_NAMES.join(', ')})`);
    }
  });
}

interface ExportOptions {
  out?: string;
  window?: string;
  now?: string;
  config?: string;
}

/** Exports the builds documents of the window from Elasticsearch into an NDJSON trace (PIT + search_after). */
async function exportFromEs(opts: ExportOptions, ctx: CliContext): Promise<void> {
  if (opts.out === undefined) throw new RightsizeError('RS_ERR_CLI_USAGE', 'exporting a trace from Elasticsearch needs --out <file>');
  let windowMs = DEFAULT_POLICY.windowDays * DAY_MS;
  if (opts.window !== undefined) {
    const ms = parseDurationMs(opts.window);
    if (ms === undefined || ms <= 0) throw new RightsizeError('RS_ERR_CLI_USAGE', `--window must be a positive duration, e.g. 30d; got "${opts.window}"`);
    windowMs = ms;
  }
  const toMs = opts.now === undefined ? Date.now() : /^\d+$/.test(opts.now) ? Number(opts.now) : Date.parse(opts.now);
  if (!Number.isFinite(toMs)) throw new RightsizeError('RS_ERR_CLI_USAGE', `--now must be an ISO-8601 instant or epoch ms, got "${opts.now}"`);
  const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
  const client = createEsClient(config.elasticsearch);
  try {
    const r = await exportTrace({ client, prefix: config.elasticsearch.indexPrefix, url: config.elasticsearch.url, fromMs: toMs - windowMs, toMs, out: opts.out });
    writeLine(ctx.stdout, `wrote ${r.builds} builds documents to ${opts.out}`);
  } finally {
    await client.close();
  }
}

/** `rightsize replay` and `rightsize trace generate`. */
export function registerReplayCommands(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description(
      'Replay right-sizing policies walk-forward over a trace of builds documents (NDJSON) and compare reserved core-/GiB-hours, under-provisioning, churn and coverage over the second half of the time range.',
    )
    .option('--trace <file>', 'NDJSON file of builds documents (data-model.md)')
    .option('--from-es', 'instead of replaying: export the builds documents of --window from Elasticsearch into the trace file --out')
    .option('--out <file>', 'with --from-es: the NDJSON trace file to write')
    .option('--window <duration>', 'with --from-es: builds that ended within this duration before --now (default 30d)')
    .option('--now <instant>', 'with --from-es: end of the window (ISO-8601 or epoch ms; default: now)')
    .option('-c, --config <file>', 'with --from-es: config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .option('--policy <list>', `comma-separated policies (${POLICY_NAMES.join(', ')})`, POLICY_NAMES.join(','))
    .option('--format <format>', 'table | json', 'table')
    .option('--seed <n>', 'bootstrap seed', '1')
    .option('--resamples <n>', 'bootstrap resamples over jobs', '1000')
    .action(async (opts: { trace?: string; policy: string; format: string; seed: string; resamples: string; fromEs?: boolean } & ExportOptions) => {
      if (opts.fromEs === true) {
        await exportFromEs(opts, ctx);
        return;
      }
      if (opts.trace === undefined) throw new RightsizeError('RS_ERR_CLI_USAGE', 'replay needs --trace <file> (or --from-es --out <file> to export one from Elasticsearch)');
      if (opts.format !== 'table' && opts.format !== 'json') throw new RightsizeError('RS_ERR_CLI_USAGE', `--format must be table or json, got "${opts.format}"`);
      const seed = intOption(opts.seed, '--seed', 1);
      const resamples = intOption(opts.resamples, '--resamples', 1000);
      const names = opts.policy
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const records = readTrace(opts.trace, ctx).map((d) => toBuildRecord(d));
      const evalFromMs = midpointMs(records);
      // The ratios to the status quo and the static oracle are computed by the engine whichever policies run.
      const policies = makePolicies(names, records, evalFromMs);
      const result = runReplay(records, policies, { evalFromMs, seed, resamples });
      if (opts.format === 'json') {
        writeLine(ctx.stdout, JSON.stringify({ evalFromMs: result.evalFromMs, policies: result.policies }, null, 2));
        return;
      }
      writeLine(ctx.stdout, `evaluation: builds starting at or after ${new Date(evalFromMs).toISOString()} (second half); ratios with bootstrap 95% CIs over jobs`);
      ctx.stdout.write(replayTable(result.policies));
    });

  const trace = program.command('trace').description('Synthetic traces of builds documents for replays and reviews.');
  trace
    .command('generate')
    .description(
      'Generate a seeded synthetic trace (archetypes: steady, bursty, bimodal, step change, slow growth, OOM-prone, rare heavy builds) as NDJSON builds documents.',
    )
    .requiredOption('--out <file>', 'output NDJSON file')
    .option('--jobs <n>', 'number of jobs', '100')
    .option('--builds-per-job <n>', 'builds per job', '100')
    .option('--seed <n>', 'random seed', '1')
    .option('--days <n>', 'time range the builds spread over', '60')
    .action((opts: { out: string; jobs: string; buildsPerJob: string; seed: string; days: string }) => {
      const docs = generateTrace({
        jobs: intOption(opts.jobs, '--jobs', 100, 1),
        buildsPerJob: intOption(opts.buildsPerJob, '--builds-per-job', 100, 1),
        seed: intOption(opts.seed, '--seed', 1),
        days: intOption(opts.days, '--days', 60, 1),
      });
      try {
        writeFileSync(opts.out, toNdjson(docs));
      } catch (err) {
        throw new RightsizeError('RS_ERR_CLI_USAGE', `cannot write ${opts.out}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      writeLine(ctx.stdout, `wrote ${docs.length} builds documents to ${opts.out}`);
    });
  trace
    .command('export')
    .description('Export the builds documents of a time window from Elasticsearch, exactly as stored, into an NDJSON trace (same as replay --from-es).')
    .requiredOption('--out <file>', 'output NDJSON file')
    .option('--window <duration>', 'builds that ended within this duration before --now (default 30d)')
    .option('--now <instant>', 'end of the window (ISO-8601 or epoch ms; default: now)')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .action(async (opts: ExportOptions) => exportFromEs(opts, ctx));
}
