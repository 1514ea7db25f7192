import type { Client } from '@elastic/elasticsearch';
import type { Config } from '../config/index.js';
import { installTemplates } from '../store/index.js';
import type { Logger } from '../util/logger.js';

/**
 * Installs (or upgrades) the index templates before a command writes to the store, so a store
 * where `collect` never ran (analyze, report, serve without alerts as separate apps) gets the
 * project's mappings instead of dynamic ones (text fields where reads need keywords). Idempotent:
 * installed templates of the same or a newer version are left as they are.
 */
export async function ensureTemplates(client: Client, config: Config, logger?: Logger): Promise<void> {
  await installTemplates(client, {
    prefix: config.elasticsearch.indexPrefix,
    shards: config.elasticsearch.shards,
    replicas: config.elasticsearch.replicas,
    ...(logger === undefined ? {} : { logger }),
  });
}
