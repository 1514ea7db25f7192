import type { Client } from '@elastic/elasticsearch';
import type { Config } from '../config/index.js';
import { RightsizeError, StoreError, redactUrl } from '../errors/index.js';
import { installTemplates, wrapEsError } from '../store/index.js';
import type { Logger } from '../util/logger.js';

/**
 * Installs (or upgrades) the index templates before a command writes to the store, so a store
 * where `collect` never ran (analyze, report, serve without alerts as separate apps) gets the
 * project's mappings instead of dynamic ones (text fields where reads need keywords). Idempotent:
 * installed templates of the same or a newer version are left as they are.
 */
export async function ensureTemplates(client: Client, config: Config, logger?: Logger): Promise<void> {
  try {
    await installTemplates(client, {
      prefix: config.elasticsearch.indexPrefix,
      shards: config.elasticsearch.shards,
      replicas: config.elasticsearch.replicas,
      ...(logger === undefined ? {} : { logger }),
    });
  } catch (err) {
    // The error names the store it could not reach (redacted), as every other store error of the CLI does.
    const where = `Elasticsearch at ${redactUrl(config.elasticsearch.url)}: cannot install the index templates`;
    if (err instanceof RightsizeError) throw new StoreError(err.code, `${where}: ${err.message}`, { meta: err.meta, cause: err });
    throw wrapEsError(err, where);
  }
}
