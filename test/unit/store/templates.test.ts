import { describe, expect, it } from 'vitest';
import { INDEX_KINDS, TEMPLATE_VERSION, buildTemplate, buildTemplates, type IndexKind } from '../../../src/store/index.js';

/** Flattens `properties` into `a.b.c → type` (format appended for dates with one). */
function flatten(props: Record<string, unknown>, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(props)) {
    const m = v as { type?: string; format?: string; properties?: Record<string, unknown> };
    const path = prefix + k;
    if (m.properties) flatten(m.properties, path + '.', out);
    else out[path] = m.type === 'date' && m.format ? `date:${m.format}` : (m.type ?? 'object');
  }
  return out;
}
const fields = (kind: IndexKind) => flatten(buildTemplate(kind, { prefix: 'rs', shards: 1, replicas: 0 }).template.mappings['properties'] as Record<string, unknown>);

describe('index templates', () => {
  it('maps the data-model fields of container documents with their units', () => {
    expect(fields('containers')).toMatchObject({
      '@timestamp': 'date',
      'event.dataset': 'keyword',
      'host.name': 'keyword',
      'container.id': 'keyword',
      'container.image.name': 'keyword',
      'container.labels': 'object',
      'mesos.task.id': 'keyword',
      'jenkins.job.name': 'keyword',
      'jenkins.build.number': 'long',
      'cpu.cores': 'double',
      'cpu.limit_cores': 'double',
      'cpu.throttled.periods': 'long',
      'cpu.throttled.time_ms': 'long',
      'cpu.interval_ms': 'long',
      'memory.working_set_bytes': 'long',
      'memory.peak_bytes': 'long',
      'process.count': 'long',
      'container.oom_killed': 'boolean',
      'container.exit_code': 'integer',
    });
  });

  it('ECS base fields on every kind (v5): ecs.version and event.module; the polled endpoint is service.address, not source.*', () => {
    expect(TEMPLATE_VERSION).toBeGreaterThanOrEqual(5);
    for (const kind of Object.keys(INDEX_KINDS) as IndexKind[]) expect(fields(kind)).toMatchObject({ 'ecs.version': 'keyword', 'event.module': 'keyword' });
    expect(fields('containers')).toMatchObject({ 'service.address': 'keyword', 'event.dataset': 'keyword' });
    expect(fields('alert-events')).toMatchObject({ 'event.action': 'keyword', 'event.module': 'keyword' });
    expect(Object.keys(fields('containers')).filter((f) => f.startsWith('source.'))).toEqual([]);
  });

  it('maps cluster, agent and role datasets into one cluster mapping', () => {
    expect(fields('cluster')).toMatchObject({
      'mesos.master.elected': 'boolean',
      'mesos.cpus.percent': 'double',
      'mesos.mem.total_bytes': 'long',
      'mesos.disk.used_bytes': 'long',
      'mesos.tasks.unreachable': 'long',
      'mesos.agent.resources.cpus': 'double',
      'mesos.agent.used.mem_bytes': 'long',
      'mesos.role.allocated.cpus': 'double',
      'mesos.role.name': 'keyword',
    });
  });

  it('maps builds with epoch-ms instants as dates and recommendations with keyword reasons', () => {
    expect(fields('builds')).toMatchObject({
      'build.start': 'date:epoch_millis||strict_date_optional_time',
      'build.end': 'date:epoch_millis||strict_date_optional_time',
      'build.duration_ms': 'long',
      'queue.wait_ms': 'long',
      'request.memory_bytes': 'long',
      'usage.cpu.p95_cores': 'double',
      'usage.coverage': 'double',
      'usage.shared_agent': 'boolean',
      'outcome.oom_killed': 'boolean',
      'waste.memory_byte_seconds': 'double',
    });
    for (const kind of ['recommendations', 'recommendations-history'] as const) {
      expect(fields(kind)).toMatchObject({ reasons: 'keyword', confidence: 'keyword', 'recommended.upper.memory_bytes': 'long', 'basis.builds': 'long' });
    }
    expect(fields('alerts')).toMatchObject({ 'alert.since': 'date:epoch_millis||strict_date_optional_time', 'alert.notifications': 'long' });
    expect(fields('silences')).toMatchObject({ until: 'date:epoch_millis||strict_date_optional_time', 'rule.id': 'keyword' });
    expect(fields('queue')).toMatchObject({ 'queue.wait_ms.p95': 'long', 'executors.idle': 'long' });
  });

  it('maps weekly waste rows with units in their names', () => {
    expect(fields('waste')).toEqual({
      '@timestamp': 'date',
      week: 'date:strict_date',
      'waste.scope': 'keyword',
      'waste.cpu_core_hours': 'double',
      'waste.memory_gib_hours': 'double',
      'workload.kind': 'keyword',
      'workload.key': 'keyword',
      builds: 'long',
      'reserved.cpu_core_hours': 'double',
      'reserved.memory_gib_hours': 'double',
      'used.cpu_core_hours': 'double',
      'used.memory_gib_hours': 'double',
      'cost.cpu': 'double',
      'cost.memory': 'double',
      'cost.total': 'double',
      'cost.currency': 'keyword',
      'ecs.version': 'keyword',
      'event.module': 'keyword',
    });
    const t = buildTemplates({ prefix: 'rs', shards: 2, replicas: 0 }).get('rs-waste')!;
    expect(t.index_patterns).toEqual(['rs-waste-*']);
    expect(t.template.settings['index.number_of_shards']).toBe(2);
  });

  it('uses no mapping type the integ-test-zip distribution lacks', () => {
    const types = new Set(Object.keys(INDEX_KINDS).flatMap((k) => Object.values(fields(k as IndexKind)).map((t) => t.split(':')[0])));
    expect([...types].sort()).toEqual(['boolean', 'date', 'double', 'integer', 'keyword', 'long', 'object', 'text']);
  });

  it('carries the version twice, settings from the options, and one exact pattern per kind', () => {
    const all = buildTemplates({ prefix: 'rs', shards: 3, replicas: 1 });
    expect([...all.keys()]).toEqual(Object.keys(INDEX_KINDS).map((k) => `rs-${k}`));
    const patterns = [...all.values()].map((t) => t.index_patterns[0]);
    expect(patterns).toContain('rs-recommendations');
    expect(patterns).toContain('rs-recommendations-history-*');
    expect(patterns).toContain('rs-builds-*');
    for (const t of all.values()) {
      expect(t.version).toBe(TEMPLATE_VERSION);
      expect(t._meta.rightsize_template_version).toBe(TEMPLATE_VERSION);
      expect(t.template.settings['index.number_of_replicas']).toBe(1);
    }
    expect(all.get('rs-containers')!.template.settings['index.number_of_shards']).toBe(3);
    expect(all.get('rs-alerts')!.template.settings['index.number_of_shards']).toBe(1);
  });
});
