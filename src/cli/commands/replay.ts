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
import { RightsizeError } from '../../errors/index.js';
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

/** `rightsize replay` and `rightsize trace generate`. */
export function registerReplayCommands(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description(
      'Replay right-sizing policies walk-forward over a trace of builds documents (NDJSON) and compare reserved core-/GiB-hours, under-provisioning, churn and coverage over the second half of the time range.',
    )
    .requiredOption('--trace <file>', 'NDJSON file of builds documents (data-model.md)')
    .option('--policy <list>', `comma-separated policies (${POLICY_NAMES.join(', ')})`, POLICY_NAMES.join(','))
    .option('--format <format>', 'table | json', 'table')
    .option('--seed <n>', 'bootstrap seed', '1')
    .option('--resamples <n>', 'bootstrap resamples over jobs', '1000')
    .action((opts: { trace: string; policy: string; format: string; seed: string; resamples: string }) => {
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
}
