import { hostname } from 'node:os';
import type { Client } from '@elastic/elasticsearch';
import type { Config } from '../../config/index.js';
import { Scheduler } from '../../scheduler/index.js';
import { installTemplates } from '../../store/index.js';
import { systemClock, type Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { AlertEngine, type DeliveryEvent, type MessageQueue } from './engine.js';
import { capacityEs, observeAllEs, observeEs } from './esQuery.js';
import { flappingFromConfig, rulesFromConfig, timingsFromConfig } from './fromConfig.js';
import { AlertStore } from './store.js';

/** A message queue that can be closed (the notifiers' Outbox). */
export interface ClosableQueue extends MessageQueue {
  close(): Promise<void>;
}

export interface StartAlertsOptions {
  readonly config: Config;
  readonly client: Client;
  readonly logger: Logger;
  /** Builds the delivery queue; it must report every outcome to `onEvent`. */
  readonly queue: (onEvent: (e: DeliveryEvent) => void) => ClosableQueue;
  readonly clock?: Clock;
  /** This replica's lease owner name. @defaultValue `<hostname>:<pid>` */
  readonly owner?: string;
  /** Install the index templates first. @defaultValue true */
  readonly installTemplates?: boolean;
}

export interface RunningAlerts {
  readonly engine: AlertEngine;
  readonly scheduler: Scheduler;
  stop(): Promise<void>;
}

/**
 * Starts the alert engine on Elasticsearch: one scheduled job per rule schedule, state and
 * history in the store, deliveries through the queue. Used by `rightsize alerts run` and
 * `rightsize serve`.
 */
export async function startAlerts(o: StartAlertsOptions): Promise<RunningAlerts> {
  const a = o.config.alerts;
  const es = o.config.elasticsearch;
  const prefix = es.indexPrefix;
  if (o.installTemplates !== false) await installTemplates(o.client, { prefix, shards: es.shards, replicas: es.replicas, logger: o.logger });
  const timings = timingsFromConfig(a);
  const clock = o.clock ?? systemClock;
  const rules = rulesFromConfig(a);
  const engine = new AlertEngine({
    store: new AlertStore(o.client, prefix),
    rules,
    observe: (rule, nowMs, signal) => observeEs(o.client, prefix, rule, nowMs, a.maxGroups, signal),
    observeAll: (rules, nowMs, signal) => observeAllEs(o.client, prefix, rules, nowMs, a.maxGroups, signal),
    capacity: (resource, nowMs, signal) => capacityEs(o.client, prefix, resource, nowMs, 120_000, 10_000, signal),
    flapping: flappingFromConfig(a),
    maxAgeMs: timings.maxAgeMs,
    leaseTtlMs: timings.leaseTtlMs,
    owner: o.owner ?? `${hostname()}:${process.pid}`,
    clock,
    logger: o.logger,
    ...(a.uiUrl === undefined ? {} : { uiUrl: a.uiUrl }),
  });
  const queue = o.queue((e) => engine.onDelivery(e));
  engine.attach(queue);
  const scheduler = new Scheduler({ logger: o.logger, clock });
  for (const job of engine.jobs()) scheduler.add(job);
  scheduler.start();
  o.logger.info({ rules: rules.map((r) => r.id), receivers: queue.receivers() }, 'alerts: engine started');
  return {
    engine,
    scheduler,
    stop: async () => {
      await scheduler.stop();
      await engine.stop();
      await queue.close();
    },
  };
}
