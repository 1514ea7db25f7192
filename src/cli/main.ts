import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { RightsizeError } from '../errors/index.js';
import { writeLine, type CliContext } from './context.js';
import { LOG_LEVELS } from './options.js';
import { registerCollectCommand } from './commands/collect.js';
import { registerConfigCommands } from './commands/config.js';
import { registerEmulateCommand } from './commands/emulate.js';
import { registerReplayCommands } from './commands/replay.js';
import { registerAnalyzeCommand } from './commands/analyze.js';
import { registerServeCommand } from './commands/serve.js';
import { registerDashboardsCommands } from './commands/dashboards.js';
import { registerNotifyCommands } from './commands/notify.js';
import { registerReportCommands } from './commands/report.js';
import { registerAlertsCommands } from './commands/alerts.js';

/** The version of package.json (two levels up from src/cli/ and from dist/cli/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** Exit code of a usage error (an unknown option, a bad option value); runtime errors exit 1. */
export const EXIT_USAGE = 2;
export const EXIT_RUNTIME = 1;

/** Builds the `rightsize` command tree. Every command and option carries its own --help text. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('rightsize')
    .description(
      'rightsize measures what Jenkins-on-Mesos builds really use (CPU, memory) and recommends what each job should reserve.',
    )
    .version(packageVersion())
    .addOption(new Option('--log-level <level>', 'log level of every command (overrides log.level and $RIGHTSIZE_LOG_LEVEL)').choices(LOG_LEVELS))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .hook('preAction', (cmd) => {
      // The global --log-level reaches every command through the environment the config loader reads.
      const level = cmd.opts<{ logLevel?: string }>().logLevel;
      if (level !== undefined) ctx.env = { ...ctx.env, RIGHTSIZE_LOG_LEVEL: level };
    });
  registerCollectCommand(program, ctx);
  registerConfigCommands(program, ctx);
  registerEmulateCommand(program, ctx);
  registerReplayCommands(program, ctx);
  registerAnalyzeCommand(program, ctx);
  registerServeCommand(program, ctx);
  registerDashboardsCommands(program, ctx);
  registerNotifyCommands(program, ctx);
  registerReportCommands(program, ctx);
  registerAlertsCommands(program, ctx);
  // Every subcommand reports usage errors through the program (exit 2) instead of exiting itself.
  const override = (cmd: Command): void => {
    for (const c of cmd.commands) {
      c.exitOverride();
      override(c);
    }
  };
  override(program);
  return program;
}

/**
 * Runs the CLI and returns the process exit code: 0 on success (and for --help/--version), 2 for
 * a usage error (the option parser's, or `RS_ERR_CLI_USAGE`, naming the option), 1 for a runtime
 * error (`error <CODE>: message`).
 */
export async function main(argv: readonly string[], partial: Partial<CliContext> = {}): Promise<number> {
  const ctx: CliContext = {
    stdout: partial.stdout ?? process.stdout,
    stderr: partial.stderr ?? process.stderr,
    stdin: partial.stdin ?? process.stdin,
    env: partial.env ?? process.env,
    exitCode: 0,
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (err instanceof RightsizeError) {
      writeLine(ctx.stderr, `error ${err.code}: ${err.message}`);
      return err.code === 'RS_ERR_CLI_USAGE' ? EXIT_USAGE : EXIT_RUNTIME;
    }
    writeLine(ctx.stderr, `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT_RUNTIME;
  }
}
