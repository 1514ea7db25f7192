import { Command, CommanderError } from 'commander';
import { RightsizeError } from '../errors/index.js';
import { writeLine, type CliContext } from './context.js';
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

/** Builds the `rightsize` command tree. Every command and option carries its own --help text. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('rightsize')
    .description(
      'rightsize measures what Jenkins-on-Mesos builds really use (CPU, memory) and recommends what each job should reserve.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
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
  return program;
}

/**
 * Runs the CLI and returns the process exit code. Errors with a stable code print
 * `error <CODE>: message` and exit 1; usage errors exit 2.
 */
export async function main(argv: readonly string[], partial: Partial<CliContext> = {}): Promise<number> {
  const ctx: CliContext = {
    stdout: partial.stdout ?? process.stdout,
    stderr: partial.stderr ?? process.stderr,
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
      return 2;
    }
    if (err instanceof RightsizeError) {
      writeLine(ctx.stderr, `error ${err.code}: ${err.message}`);
      return 1;
    }
    writeLine(ctx.stderr, `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
