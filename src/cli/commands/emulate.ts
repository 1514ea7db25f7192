import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { RightsizeError } from '../../errors/index.js';
import { createLogger } from '../../util/index.js';
import { DEFAULT_ASK_TIMEOUT_MS, loadScenarioFile, resolveScenarioPath, SCENARIOS_DIR, startEmulatedCluster, type AskRightsizeOptions, type UsageMode } from '../../emulators/index.js';
import { durationOption, intOption } from '../options.js';
import { writeLine, type CliContext } from '../context.js';

export interface EmulateOptions {
  readonly scenario: string;
  readonly usage?: string;
  readonly port?: string;
  readonly seed?: string;
  readonly speed?: string;
  readonly dockerHost?: string;
  readonly askRightsize?: string;
  readonly askTimeout?: string;
  readonly askTokenEnv?: string;
}

/** `--ask-rightsize <url> [--ask-timeout <duration>] [--ask-token-env <NAME>]` → the asker's options (checked). */
export function askOptions(opts: EmulateOptions, env: Readonly<Record<string, string | undefined>>): AskRightsizeOptions | undefined {
  if (opts.askRightsize === undefined) {
    if (opts.askTimeout !== undefined || opts.askTokenEnv !== undefined) throw new RightsizeError('RS_ERR_CLI_USAGE', '--ask-timeout and --ask-token-env need --ask-rightsize <url>');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(opts.askRightsize);
  } catch {
    throw new RightsizeError('RS_ERR_CLI_USAGE', `--ask-rightsize must be the http(s) URL of rightsize serve, got '${opts.askRightsize}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RightsizeError('RS_ERR_CLI_USAGE', `--ask-rightsize must be an http(s) URL, got '${opts.askRightsize}'`);
  const timeoutMs = durationOption(opts.askTimeout, '--ask-timeout') ?? DEFAULT_ASK_TIMEOUT_MS;
  let token: string | undefined;
  if (opts.askTokenEnv !== undefined) {
    token = env[opts.askTokenEnv];
    if (token === undefined || token === '') throw new RightsizeError('RS_ERR_CLI_USAGE', `--ask-token-env: the environment variable ${opts.askTokenEnv} is not set`);
  }
  return { url: opts.askRightsize, timeoutMs, ...(token === undefined ? {} : { token }) };
}

/** The project's own engine (`scripts/docker-engine.sh`), when it has been started here. */
function projectDockerHost(): string | undefined {
  const sock = join(SCENARIOS_DIR, '..', '.cache', 'docker', 'docker.sock');
  return existsSync(sock) ? `unix://${sock}` : undefined;
}

/**
 * Runs an emulated cluster: prints ONE JSON line with the URLs first, then waits for
 * `waitForStop()` and stops everything (containers removed).
 */
export async function runEmulate(opts: EmulateOptions, ctx: CliContext, waitForStop: () => Promise<unknown>): Promise<void> {
  const usage = (opts.usage ?? 'docker') as UsageMode;
  if (usage !== 'docker' && usage !== 'model') throw new RightsizeError('RS_ERR_CLI_USAGE', `--usage must be docker or model, got '${opts.usage}'`);
  const portBase = intOption(opts.port, '--port', 0, 0, 65000);
  const seed = opts.seed === undefined ? undefined : intOption(opts.seed, '--seed', 0, 0, 2 ** 31 - 1);
  const speed = opts.speed === undefined ? 1 : Number(opts.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 10000) throw new RightsizeError('RS_ERR_CLI_USAGE', `--speed must be a number in (0, 10000], got '${opts.speed}'`);
  const ask = askOptions(opts, ctx.env);
  const scenario = loadScenarioFile(resolveScenarioPath(opts.scenario));
  const logger = createLogger(ctx.env['RIGHTSIZE_LOG_LEVEL'] ?? 'info');
  const dockerHost = opts.dockerHost ?? ctx.env['DOCKER_HOST'] ?? projectDockerHost();
  const em = await startEmulatedCluster(scenario, {
    usage,
    portBase,
    speed,
    logger,
    ...(seed === undefined ? {} : { seed }),
    ...(dockerHost === undefined ? {} : { dockerHost }),
    ...(ask === undefined ? {} : { askRightsize: ask }),
  });
  writeLine(ctx.stdout, JSON.stringify(em.urls));
  if (em.fallbackReason) writeLine(ctx.stderr, `warning: ${em.fallbackReason}`);
  try {
    await waitForStop();
  } finally {
    await em.stop();
  }
}

/** `rightsize emulate`. */
export function registerEmulateCommand(program: Command, ctx: CliContext): void {
  program
    .command('emulate')
    .description(
      'Run an emulated Jenkins-on-Mesos cluster (Mesos masters and agents, Jenkins) from a scenario. Prints one JSON line with every URL first; stops on SIGINT/SIGTERM and removes its containers.',
    )
    .requiredOption('-s, --scenario <file|demo>', 'scenario YAML file, or the name of a bundled scenario (demo)')
    .option('--usage <docker|model>', 'docker: builds run as real containers (falls back to model without an engine); model: usage computed from the profile', 'docker')
    .option('--port <base>', 'first port (masters, agents, Jenkins on consecutive ports); 0 = free ports', '0')
    .option('--seed <n>', 'override the scenario seed')
    .option('--speed <x>', 'simulated seconds per real second (model mode only)', '1')
    .option('--docker-host <url>', 'Docker engine (default: $DOCKER_HOST, else the project engine of scripts/docker-engine.sh if started)')
    .option('--ask-rightsize <url>', 'jobs with askRightsize ask this rightsize serve for their label before each build (GET /api/v1/jobs/<job>?format=mesos-plugin), falling back to their own label')
    .option('--ask-timeout <duration>', 'with --ask-rightsize: no answer within this → the fallback label (default 2s)')
    .option('--ask-token-env <NAME>', 'with --ask-rightsize: the environment variable holding a read token (sent as a bearer token)')
    .action(async (opts: EmulateOptions) => {
      await runEmulate(
        opts,
        ctx,
        () =>
          new Promise<NodeJS.Signals>((resolve) => {
            process.once('SIGINT', () => resolve('SIGINT'));
            process.once('SIGTERM', () => resolve('SIGTERM'));
          }),
      );
    });
}
