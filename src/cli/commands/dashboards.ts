import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { RightsizeError, redactUrl } from '../../errors/index.js';
import { buildSavedObjects, importSavedObjects, toNdjson, type ImportOutcome, type SavedObject } from '../../dashboards/index.js';
import { writeLine, type CliContext } from '../context.js';

/** The file `dashboards export` writes inside its folder. */
export const DASHBOARDS_FILE = 'rightsize.ndjson';

function summary(objects: readonly SavedObject[]): string {
  const n = (t: SavedObject['type']): number => objects.filter((o) => o.type === t).length;
  return `${n('index-pattern')} data views, ${n('lens')} Lens visualizations, ${n('dashboard')} dashboards`;
}

function printOutcome(ctx: CliContext, outcome: ImportOutcome): void {
  for (const o of outcome.imported) {
    const dest = o.destinationId && o.destinationId !== o.id ? ` (stored as ${o.destinationId})` : '';
    writeLine(ctx.stdout, `${o.overwritten ? 'overwritten' : 'created'} ${o.type} ${o.id}${o.title ? ` "${o.title}"` : ''}${dest}`);
  }
  for (const f of outcome.failed) {
    writeLine(ctx.stdout, `failed ${f.type} ${f.id}${f.title ? ` "${f.title}"` : ''}: ${f.reason}${f.detail ? ` (${f.detail})` : ''}`);
  }
  writeLine(ctx.stderr, `${outcome.imported.length} imported, ${outcome.failed.length} failed`);
}

/** `rightsize dashboards export|import`: Kibana saved objects generated from the definitions in src/dashboards. */
export function registerDashboardsCommands(program: Command, ctx: CliContext): void {
  const cmd = program.command('dashboards').description('Kibana dashboards on rightsize\'s indices: regenerate the saved objects, or import them into Kibana.');

  cmd
    .command('export')
    .description(`write the saved objects (data views, Lens visualizations, dashboards) as NDJSON to <dir>/${DASHBOARDS_FILE}, for the configured index prefix`)
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .option('--out <dir>', 'folder to write into', 'dashboards')
    .option('--prefix <prefix>', 'index prefix the data views point at (default: elasticsearch.indexPrefix)')
    .option('--check', 'write nothing; exit 1 when the file differs from what would be written')
    .action((opts: { config?: string; out: string; prefix?: string; check?: boolean }) => {
      const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const objects = buildSavedObjects(opts.prefix ?? config.elasticsearch.indexPrefix);
      const text = toNdjson(objects);
      const path = join(opts.out, DASHBOARDS_FILE);
      if (opts.check) {
        const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
        if (current !== text) throw new RightsizeError('RS_ERR_DASHBOARDS_STALE', `${path} differs from the definitions; run \`rightsize dashboards export\``);
        writeLine(ctx.stderr, `${path} is up to date (${summary(objects)})`);
        return;
      }
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(path, text);
      writeLine(ctx.stderr, `wrote ${path}: ${summary(objects)}`);
    });

  cmd
    .command('import')
    .description('upload the saved objects through Kibana\'s saved-objects import API (POST [/s/<space>]/api/saved_objects/_import); prints what was created and what failed and why; exit 1 when any object failed')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .option('--kibana-url <url>', 'Kibana base URL (default: kibana.url or $RIGHTSIZE_KIBANA_URL)')
    .option('--space <id>', 'Kibana space (default: kibana.space, "default")')
    .option('--overwrite', 'replace objects that exist already (without it, existing ones are reported as conflicts)')
    .option('--file <ndjson>', 'import this file instead of the objects generated for the configured index prefix')
    .action(async (opts: { config?: string; kibanaUrl?: string; space?: string; overwrite?: boolean; file?: string }) => {
      const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const url = opts.kibanaUrl ?? config.kibana.url;
      if (!url) throw new RightsizeError('RS_ERR_CLI_USAGE', 'no Kibana URL: pass --kibana-url, set kibana.url or RIGHTSIZE_KIBANA_URL');
      try {
        const u = new URL(url);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
      } catch {
        throw new RightsizeError('RS_ERR_CLI_USAGE', `--kibana-url must be an http(s) URL, got "${redactUrl(url)}"`);
      }
      const ndjson = opts.file ? readFileSync(opts.file, 'utf8') : toNdjson(buildSavedObjects(config.elasticsearch.indexPrefix));
      const space = opts.space ?? config.kibana.space;
      writeLine(ctx.stderr, `importing into ${redactUrl(url)} (space ${space}${opts.overwrite ? ', overwrite' : ''})`);
      const outcome = await importSavedObjects(
        {
          url,
          space,
          timeoutMs: config.kibana.timeoutMs,
          ...(config.kibana.apiKey === undefined ? {} : { apiKey: config.kibana.apiKey }),
          ...(config.kibana.username === undefined ? {} : { username: config.kibana.username }),
          ...(config.kibana.password === undefined ? {} : { password: config.kibana.password }),
        },
        ndjson,
        { overwrite: opts.overwrite === true },
      );
      printOutcome(ctx, outcome);
      if (!outcome.success) {
        writeLine(ctx.stderr, `error RS_ERR_KIBANA_IMPORT: ${outcome.failed.length} object(s) were not imported`);
        ctx.exitCode = 1;
      }
    });
}
