import type { Command } from 'commander';
import { ConfigSchema, loadConfig, maskConfig } from '../../config/index.js';
import { ConfigError, RightsizeError, type ConfigProblem } from '../../errors/index.js';
import { redactTarget } from '../../notifiers/index.js';
import { isRecord } from '../../util/json.js';
import { writeLine, type CliContext } from '../context.js';
import { configOption } from '../options.js';

/** The keys the schema allows at a JSON-pointer path (`/analysis/cpu`), or undefined when it is not an object there. */
export function allowedKeysAt(path: string): string[] | undefined {
  let node: unknown = ConfigSchema;
  for (const part of path.split('/').filter((p) => p !== '')) {
    const props: unknown = isRecord(node) ? node['properties'] : undefined;
    node = isRecord(props) ? props[part] : undefined;
    if (node === undefined) return undefined;
  }
  const props: unknown = isRecord(node) ? node['properties'] : undefined;
  return isRecord(props) ? Object.keys(props) : undefined;
}

/** A problem as `config check` prints it: a misspelt key reads "unknown key (allowed: …)". */
export function describeProblem(p: ConfigProblem): string {
  if (/unexpected property/i.test(p.message)) {
    const parent = p.path.slice(0, Math.max(0, p.path.lastIndexOf('/')));
    const allowed = allowedKeysAt(parent);
    if (allowed !== undefined) return `${p.path}: unknown key (allowed: ${allowed.join(', ')})`;
  }
  return `${p.path}: ${p.message}`;
}

/** `rightsize config check|show`. */
export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('Inspect and validate the configuration.');

  config
    .command('check')
    .description('Validate the configuration file and environment; list every problem with its path and exit non-zero if any.')
    .addOption(configOption())
    .action((opts: { config?: string }) => {
      try {
        const { source } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
        writeLine(ctx.stdout, `ok: ${source} is valid`);
      } catch (err) {
        if (err instanceof ConfigError) {
          writeLine(ctx.stderr, `error ${err.code}: ${err.message.split('\n')[0]}`);
          for (const p of err.problems) writeLine(ctx.stderr, `  ${describeProblem(p)}`);
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
    .addOption(configOption())
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
