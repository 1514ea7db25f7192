import { describe, expect, it } from 'vitest';
import { guardNumericFields } from '../../../src/store/fieldGuard.js';
import { MAPPINGS } from '../../../src/store/index.js';

describe('guardNumericFields', () => {
  it('keeps the same object when every number fits its mapping', () => {
    const doc = { '@timestamp': '2026-11-22T00:00:00Z', memory: { working_set_bytes: 2 ** 62, limit_bytes: 1024 }, container: { exit_code: 137 }, cpu: { cores: 1e300 } };
    const g = guardNumericFields(doc, MAPPINGS.containers);
    expect(g.doc).toBe(doc);
    expect(g.removed).toEqual([]);
  });

  it('removes what each mapping type cannot hold, by path, and leaves the input alone', () => {
    const doc = {
      memory: { working_set_bytes: 2 ** 63, rss_bytes: -(2 ** 63), usage_bytes: -(2 ** 64) },
      container: { exit_code: 2 ** 31 },
      cpu: { cores: Number.POSITIVE_INFINITY },
      unmapped: { value: Number.NaN, ok: 1.5, list: [1, Number.NaN, 2] },
    };
    const g = guardNumericFields(doc, MAPPINGS.containers);
    expect(g.removed.map((r) => `${r.path}:${r.type}`)).toEqual([
      'memory.working_set_bytes:long',
      'memory.usage_bytes:long',
      'container.exit_code:integer',
      'cpu.cores:double',
      'unmapped.value:double',
      'unmapped.list:double',
    ]);
    expect(g.doc).toEqual({ memory: { rss_bytes: -(2 ** 63) }, container: {}, cpu: {}, unmapped: { ok: 1.5, list: [1, 2] } });
    expect(doc.memory.working_set_bytes).toBe(2 ** 63);
  });

  it('bounds epoch-ms dates by ±8.64e15', () => {
    const g = guardNumericFields({ build: { start: 8.64e15, end: 8.64e15 + 1 } }, MAPPINGS.builds);
    expect(g.removed.map((r) => r.path)).toEqual(['build.end']);
  });
});
