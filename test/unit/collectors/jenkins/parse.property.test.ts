import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_CLOCK_SKEW_MS, parseBuilds, parseComputers, parseJobTree, parseQueue, parseQueueItem, queueDocs } from '../../../../src/collectors/jenkins/index.js';

const NOW = Date.parse('2026-11-22T03:00:00Z');

function numbersAreSane(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  if (Array.isArray(value)) return value.every(numbersAreSane);
  if (value !== null && typeof value === 'object') return Object.values(value).every(numbersAreSane);
  return true;
}

const instant = fc.oneof(fc.integer({ min: -1e13, max: 1e14 }), fc.double(), fc.string(), fc.constant(null));

describe('jenkins parsers never crash and never emit a wrong number (property)', () => {
  it('arbitrary JSON into every parser: no throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const q = parseQueue(body, { target: 't', nowMs: NOW });
        queueDocs(q.value, { nowMs: NOW, computers: parseComputers(body, { target: 't' }).value });
        parseQueueItem(body, { target: 't', nowMs: NOW });
        parseJobTree(body, { target: 't', maxDepth: 3 });
        parseBuilds(body, { target: 't', nowMs: NOW, jobName: 'j' });
      }),
      { numRuns: 300 },
    );
  });

  it('random queue times: waits are absent or in [0, now − 2000]; documents hold only sane numbers', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.nat(), inQueueSince: instant, buildableStartMilliseconds: instant, blocked: fc.boolean() }), { maxLength: 20 }), (items) => {
        const q = parseQueue({ items }, { target: 't', nowMs: NOW });
        for (const it of q.value) if (it.waitMs !== undefined) expect(it.waitMs >= 0 && it.waitMs <= NOW - Date.UTC(2000, 0, 1)).toBe(true);
        expect(numbersAreSane(queueDocs(q.value, { nowMs: NOW }).map((d) => d.queue))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('random builds: a reported build has a plausible start, a duration ≥ 0 and end = start + duration', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ number: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double()), timestamp: instant, duration: fc.oneof(fc.integer({ min: -1000, max: 1e7 }), fc.double()), building: fc.boolean(), result: fc.constantFrom('SUCCESS', null) }), { maxLength: 20 }),
        (builds) => {
          for (const b of parseBuilds({ builds }, { target: 't', nowMs: NOW, jobName: 'j' }).value.finished) {
            expect(b.startMs >= Date.UTC(2000, 0, 1) && b.startMs <= NOW + MAX_CLOCK_SKEW_MS).toBe(true);
            expect(b.durationMs >= 0 && b.endMs === b.startMs + b.durationMs).toBe(true);
            expect(Number.isInteger(b.number) && b.number > 0).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
