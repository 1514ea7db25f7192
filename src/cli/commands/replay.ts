import { closeSync, createWriteStream, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import {
  clairvoyantPolicy,
  generateTrace,
  krrPolicy,
  BuildColumns,
  oursPolicy,
  replayTable,
  runReplay,
  statusQuoPolicy,
  staticOraclePolicy,
  vpaPolicy,
  DEFAULT_POLICY,
  DEFAULT_SWEEP_MARGINS,
  frontierCheck,
  formatFrontier,
  sweepPolicies,
  wholeCostTable,
  type AllocationSink,
  type ReplayPolicy,
} from '../../analysis/index.js';
import { exportTrace } from '../../analysis/service/index.js';
import { loadConfig } from '../../config/index.js';
import { RightsizeError, toError } from '../../errors/index.js';
import { createEsClient } from '../../store/index.js';
import { DAY_MS } from '../../util/index.js';
import { writeLine, type CliContext } from '../context.js';
import { configOption, durationOption, formatOption, instantOption, intOption } from '../options.js';
import { readTrace } from '../traceInput.js';

export const POLICY_NAMES = ['status_quo', 'krr', 'vpa', 'ours', 'oracle_build', 'oracle_static'] as const;

function makePolicies(names: readonly string[]): ReplayPolicy[] {
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
        return staticOraclePolicy();
      default:
        throw new RightsizeError('RS_ERR_CLI_USAGE', `--policy: unknown policy "${n}" (known: ${POLICY_NAMES.join(', ')})`);
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
  const windowMs = durationOption(opts.window, '--window') ?? DEFAULT_POLICY.windowDays * DAY_MS;
  const toMs = instantOption(opts.now) ?? Date.now();
  const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
  const client = createEsClient(config.elasticsearch);
  try {
    // Without --out the trace itself is the output (stdout); the summary then goes to stderr.
    const r = await exportTrace({ client, prefix: config.elasticsearch.indexPrefix, url: config.elasticsearch.url, fromMs: toMs - windowMs, toMs, out: opts.out ?? ctx.stdout });
    writeLine(opts.out === undefined ? ctx.stderr : ctx.stdout, `wrote ${r.builds} builds documents to ${opts.out ?? 'standard output'}`);
  } finally {
    await client.close();
  }
}

/** Writes documents as NDJSON to `out` (a file) or stdout, one line at a time with backpressure. */
async function writeNdjson(docs: readonly unknown[], out: string | undefined, ctx: CliContext): Promise<void> {
  const stream: Writable = out === undefined ? ctx.stdout : createWriteStream(out);
  let failure: unknown;
  const onError = (err: unknown): void => {
    failure = err;
  };
  stream.on('error', onError);
  try {
    for (const d of docs) {
      if (failure !== undefined) break;
      if (!stream.write(JSON.stringify(d) + '\n')) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
    }
    if (out !== undefined && failure === undefined) {
      const closed = once(stream, 'close');
      stream.end();
      await closed;
    }
  } catch (err) {
    failure ??= err;
  } finally {
    stream.off('error', onError);
  }
  if (failure !== undefined)
    throw new RightsizeError('RS_ERR_TRACE_READ', `cannot write ${out ?? 'standard output'}: ${toError(failure).message}`, { cause: failure });
}

/** `--sweep [values]`: comma-separated margins > 0 (default {@link DEFAULT_SWEEP_MARGINS} when given without a value). */
export function sweepOption(value: string | boolean | undefined): number[] {
  if (value === undefined || value === false) return [];
  if (value === true) return [...DEFAULT_SWEEP_MARGINS];
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const out: number[] = [];
  for (const p of parts) {
    const m = Number(p);
    if (!/^\d*\.?\d+$/.test(p) || !(m > 0) || m > 10) throw new RightsizeError('RS_ERR_CLI_USAGE', `--sweep: a margin must be a number in (0, 10], got "${p}"`);
    if (!out.includes(m)) out.push(m);
  }
  if (out.length === 0) throw new RightsizeError('RS_ERR_CLI_USAGE', '--sweep: no margin given');
  return out;
}

/**
 * `replay --allocations`: one NDJSON line per policy and evaluated build, written synchronously
 * through a 64 KiB buffer (the replay is synchronous; nothing is held beyond the buffer).
 */
class AllocationFile {
  private readonly fd: number;
  private buf = '';
  lines = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new RightsizeError('RS_ERR_TRACE_READ', `cannot write ${path}: ${toError(err).message}`, { cause: err });
    }
  }

  readonly sink: AllocationSink = (policy, b, cpuCores, memoryBytes) => {
    this.buf += JSON.stringify({ policy, job: b.job, build: b.number, cpu_cores: cpuCores, memory_bytes: memoryBytes }) + '\n';
    this.lines++;
    if (this.buf.length >= 65536) this.flush();
  };

  private flush(): void {
    try {
      writeSync(this.fd, this.buf);
    } catch (err) {
      throw new RightsizeError('RS_ERR_TRACE_READ', `cannot write ${this.path}: ${toError(err).message}`, { cause: err });
    }
    this.buf = '';
  }

  close(): void {
    try {
      if (this.buf !== '') this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

/** `rightsize replay` and `rightsize trace generate`. */
export function registerReplayCommands(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description(
      'Replay right-sizing policies walk-forward over a trace of builds documents (NDJSON) and compare reserved core-/GiB-hours, under-provisioning, churn and coverage over the second half of the time range.',
    )
    .option('--trace <file>', 'NDJSON trace of builds documents (data-model.md); - for standard input; gzip is read directly')
    .option('--from-es', 'instead of replaying: export the builds documents of --window from Elasticsearch as an NDJSON trace (to --out, else stdout)')
    .option('--out <file>', 'with --from-es: the NDJSON trace file to write (default: stdout)')
    .option('--window <duration>', 'with --from-es: builds that ended within this duration before --now (default 30d)')
    .option('--now <instant>', 'with --from-es: end of the window (ISO-8601 or epoch ms; default: now)')
    .addOption(configOption())
    .option('--policy <list>', `comma-separated policies (${POLICY_NAMES.join(', ')})`, POLICY_NAMES.join(','))
    .addOption(formatOption(['table', 'json'], 'table | json', 'table'))
    .option('--seed <n>', 'bootstrap seed', '1')
    .option('--resamples <n>', 'bootstrap resamples over jobs', '1000')
    .option(
      '--sweep [margins]',
      `also replay ours at these values of its risk knob (analysis margin), as policies ours@margin=<value>, and check the frontier against krr and vpa (default ${DEFAULT_SWEEP_MARGINS.join(',')})`,
    )
    .option('--allocations <file>', 'write what each policy gave each evaluated build as NDJSON {"policy","job","build","cpu_cores","memory_bytes"}')
    .action(async (opts: { trace?: string; policy: string; format: string; seed: string; resamples: string; fromEs?: boolean; sweep?: string | boolean; allocations?: string } & ExportOptions) => {
      if (opts.fromEs === true) {
        await exportFromEs(opts, ctx);
        return;
      }
      if (opts.trace === undefined) throw new RightsizeError('RS_ERR_CLI_USAGE', 'replay needs --trace <file> (or --from-es to export one from Elasticsearch)');
      const seed = intOption(opts.seed, '--seed', 1);
      const resamples = intOption(opts.resamples, '--resamples', 1000);
      const names = opts.policy
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      for (const n of names) if (!(POLICY_NAMES as readonly string[]).includes(n)) throw new RightsizeError('RS_ERR_CLI_USAGE', `--policy: unknown policy "${n}" (known: ${POLICY_NAMES.join(', ')})`);
      // Read line by line (no whole-file string) into compact columns (~130 bytes a build, no object per build).
      const columns = new BuildColumns(1 << 16);
      await readTrace(opts.trace, ctx, (b) => columns.add(b));
      const evalFromMs = columns.minStartMs + (columns.maxEndMs - columns.minStartMs) / 2;
      // The ratios to the status quo and the static oracle are computed by the engine whichever policies run.
      const margins = sweepOption(opts.sweep);
      const policies = [...makePolicies(names), ...sweepPolicies(margins)];
      const allocations = opts.allocations === undefined ? undefined : new AllocationFile(opts.allocations);
      let result: ReturnType<typeof runReplay>;
      try {
        result = runReplay(columns, policies, { evalFromMs, seed, resamples, ...(allocations ? { onAllocation: allocations.sink } : {}) });
      } finally {
        allocations?.close();
      }
      const frontier = margins.length > 0 ? frontierCheck(result.policies) : [];
      if (opts.format === 'json') {
        writeLine(ctx.stdout, JSON.stringify({ evalFromMs: result.evalFromMs, policies: result.policies, ...(margins.length > 0 ? { frontier } : {}) }, null, 2));
        return;
      }
      writeLine(ctx.stdout, `evaluation: builds starting at or after ${new Date(evalFromMs).toISOString()} (second half); ${result.policies[0]?.builds ?? 0} builds`);
      writeLine(ctx.stdout, 'whole cost of a wrong size (an OOM-killed build is rerun at the status quo; a CPU-starved one runs p95/allocation longer):');
      ctx.stdout.write(wholeCostTable(result.policies));
      writeLine(ctx.stdout, '');
      writeLine(ctx.stdout, 'ratios with bootstrap 95% CIs over jobs:');
      ctx.stdout.write(replayTable(result.policies));
      if (margins.length > 0) {
        writeLine(ctx.stdout, '');
        writeLine(ctx.stdout, 'frontier (some ours@margin has no higher UPR at no higher cost than the baseline):');
        ctx.stdout.write(frontier.length > 0 ? formatFrontier(frontier) : 'no baseline (krr, vpa) among --policy\n');
      }
      if (allocations) writeLine(ctx.stderr, `wrote ${allocations.lines} allocations to ${allocations.path}`);
    });

  const trace = program.command('trace').description('Synthetic traces of builds documents for replays and reviews.');
  trace
    .command('generate')
    .description(
      'Generate a seeded synthetic trace (archetypes: steady, bursty, bimodal, step change, slow growth, OOM-prone, rare heavy builds) as NDJSON builds documents.',
    )
    .option('--out <file>', 'output NDJSON file (default: stdout)')
    .option('--jobs <n>', 'number of jobs', '100')
    .option('--builds-per-job <n>', 'builds per job', '100')
    .option('--seed <n>', 'random seed', '1')
    .option('--days <n>', 'time range the builds spread over', '60')
    .action(async (opts: { out?: string; jobs: string; buildsPerJob: string; seed: string; days: string }) => {
      const docs = generateTrace({
        jobs: intOption(opts.jobs, '--jobs', 100, 1),
        buildsPerJob: intOption(opts.buildsPerJob, '--builds-per-job', 100, 1),
        seed: intOption(opts.seed, '--seed', 1),
        days: intOption(opts.days, '--days', 60, 1),
      });
      await writeNdjson(docs, opts.out, ctx);
      // Without --out the trace is the output; the summary then goes to stderr.
      writeLine(opts.out === undefined ? ctx.stderr : ctx.stdout, `wrote ${docs.length} builds documents to ${opts.out ?? 'standard output'}`);
    });
  trace
    .command('export')
    .description('Export the builds documents of a time window from Elasticsearch, exactly as stored, into an NDJSON trace (same as replay --from-es).')
    .option('--out <file>', 'output NDJSON file (default: stdout)')
    .option('--window <duration>', 'builds that ended within this duration before --now (default 30d)')
    .option('--now <instant>', 'end of the window (ISO-8601 or epoch ms; default: now)')
    .addOption(configOption())
    .action(async (opts: ExportOptions) => exportFromEs(opts, ctx));
}
