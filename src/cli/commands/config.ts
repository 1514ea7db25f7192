import type { Command } from 'commander';
import { loadConfig, maskConfig } from '../../config/index.js';
import { ConfigError, RightsizeError } from '../../errors/index.js';
import { redactTarget } from '../../notifiers/index.js';
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
    .description('Print the effective configuration (defaults applied, secrets and URL credentials masked) as JSON.')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .action((opts: { config?: string }) => {
      const { config: cfg } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const masked = maskConfig(cfg) as unknown as { receivers: Record<string, Record<string, { url?: string; headers?: Record<string, string>; secret?: string; key?: string } | number>> };
      // Chat webhook URLs carry their token (Slack, Feishu: in the path); header values and signing secrets may be credentials.
      for (const receiver of Object.values(masked.receivers)) {
        for (const channel of Object.values(receiver)) {
          if (typeof channel !== 'object') continue;
          if (typeof channel.url === 'string') channel.url = redactTarget(channel.url);
          if (typeof channel.secret === 'string') channel.secret = '***';
          if (typeof channel.key === 'string') channel.key = '***';
          if (channel.headers) for (const h of Object.keys(channel.headers)) channel.headers[h] = '***';
        }
      }
      writeLine(ctx.stdout, JSON.stringify(masked, null, 2));
    });
}
