import { describe, expect, it } from 'vitest';
import { TEMPLATE_VERSION, buildTemplate } from '../../../src/store/index.js';

describe('containers template v4', () => {
  it('maps marathon.app.id as keyword and the task request with units (cores double, bytes long)', () => {
    const props = buildTemplate('containers', { prefix: 'rs', shards: 1, replicas: 0 }).template.mappings['properties'] as Record<string, { properties?: Record<string, unknown> }>;
    expect(props['marathon']).toEqual({ properties: { app: { properties: { id: { type: 'keyword', ignore_above: 1024 } } } } });
    expect(props['request']).toEqual({ properties: { cpu_cores: { type: 'double' }, memory_bytes: { type: 'long' } } });
    expect(TEMPLATE_VERSION).toBeGreaterThanOrEqual(4);
  });
});
