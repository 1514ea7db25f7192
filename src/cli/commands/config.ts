import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { ConfigError, RightsizeError } from '../../errors/index.js';
import { writeLine, type CliContext } from '../context.js';

/** `rightsize config check|show`. */
export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('Inspect and validate the configuration.');

  config
    .command('check')
    .description('Validate the configuration file and environment; list every problem with its path and exit non-zero if any.')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .action((opts: { config?: string }) => {
      try {
        const { source } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
        writeLine(ctx.stdout, `ok: ${source} is valid`);
      } catch (err) {
        if (err instanceof ConfigError) {
          writeLine(ctx.stderr, `error ${err.code}: ${err.message}`);
          ctx.exitCode = 1;
          return;
        }
        if (err instanceof RightsizeError) {
          writeLine(ctx.stderr, `error ${err.code}: ${err.message}`);
          ctx.exitCode = 1;
          return;
        }
        throw err;
      }
    });

  config
    .command('show')
    .description('Print the effective configuration (defaults applied, secrets masked) as JSON.')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .action((opts: { config?: string }) => {
      const { config: cfg } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const masked = JSON.parse(JSON.stringify(cfg), (key: string, value: unknown) =>
        ['apiKey', 'password', 'token'].includes(key) && typeof value === 'string'
          ? '***'
          : ['readTokens', 'writeTokens'].includes(key) && Array.isArray(value)
            ? value.map(() => '***')
            : value,
      ) as unknown;
      writeLine(ctx.stdout, JSON.stringify(masked, null, 2));
    });
}
