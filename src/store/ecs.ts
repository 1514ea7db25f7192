import { ECS_VERSION, type Sample } from '../model/index.js';
import { isRecord } from '../util/json.js';

/**
 * The ECS base fields every document rightsize stores carries (docs/data-model.md): `ecs.version`
 * and `event.module`. Producers may set `event.module` themselves (the collectors do); whatever
 * they leave out is added here, on the way into Elasticsearch, so no document lacks them. Pure.
 */

/** `event.module` of rightsize's own documents (builds, recommendations, waste rows). */
export const RIGHTSIZE_MODULE = 'rightsize';

/**
 * The `event.module` of a document: its own, else the first segment of its `event.dataset`
 * (`mesos.executor` → `mesos`, as ECS datasets are `<module>.<name>`), else `fallback`.
 */
export function moduleOf(doc: object, fallback = RIGHTSIZE_MODULE): string {
  const event = (doc as { event?: unknown }).event;
  if (isRecord(event)) {
    if (typeof event['module'] === 'string' && event['module'] !== '') return event['module'];
    const dataset = event['dataset'];
    if (typeof dataset === 'string' && dataset.includes('.')) return dataset.slice(0, dataset.indexOf('.'));
  }
  return fallback;
}

/**
 * `doc` with `ecs.version` and `event.module` filled in where missing (the other `event` fields
 * are kept). The input is not changed.
 *
 * @example withEcsBase({ event: { dataset: 'jenkins.queue' }, … }) → { ecs: { version: '8.11.0' }, event: { dataset: 'jenkins.queue', module: 'jenkins' }, … }
 */
export function withEcsBase<T extends object>(doc: T, fallbackModule = RIGHTSIZE_MODULE): T {
  const d = doc as Record<string, unknown>;
  const event = isRecord(d['event']) ? d['event'] : {};
  const ecs = isRecord(d['ecs']) && typeof d['ecs']['version'] === 'string' ? d['ecs'] : { version: ECS_VERSION };
  return { ...d, ecs, event: { ...event, module: moduleOf(doc, fallbackModule) } } as T;
}

/** A sample's document as it is written (see {@link withEcsBase}). */
export function storedDoc(sample: Sample): object {
  return withEcsBase(sample.doc);
}
