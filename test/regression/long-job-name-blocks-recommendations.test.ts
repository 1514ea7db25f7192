import { describe, expect, it } from 'vitest';
import type { RecommendationDoc } from '../../src/model/index.js';
import { fitId, MAX_ID_BYTES, recommendationId } from '../../src/store/index.js';
import { historyId, recommendationDocId, recommendationsBulkBody } from '../../src/store/queries/index.js';

// Issue 14 item 4: one 610-byte job name (Japanese folders) made Elasticsearch refuse the whole
// bulk request ("id ... is too long, must be no longer than 512 bytes"), so no job got a
// recommendation. Every _id must fit; the full key stays in the document.
const longName = `${'チーム/'.repeat(60)}ビルド`; // 3 bytes per kana: 609 bytes
const doc = (key: string, kind = 'jenkins.job'): RecommendationDoc =>
  ({ '@timestamp': '2026-11-01T00:00:00.000Z', workload: { kind, key }, current: {}, recommended: {}, reasons: [] }) as unknown as RecommendationDoc;

describe('regression: a job name over 512 bytes', () => {
  it('is over the limit (the premise of the bug)', () => {
    expect(Buffer.byteLength(longName, 'utf8')).toBeGreaterThan(MAX_ID_BYTES);
  });

  it('gets an _id of at most 512 bytes for its latest, label and history documents, and keeps the key in the document', () => {
    const docs = [doc(longName), doc('short/job'), doc(longName, 'jenkins.label'), doc(longName, 'marathon.app')];
    const { operations } = recommendationsBulkBody('rs', docs, new Map(), Date.UTC(2026, 10, 1));
    const ids = operations.flatMap((op) => {
      const meta = (op as { index?: { _id: string }; create?: { _id: string } }).index ?? (op as { create?: { _id: string } }).create;
      return meta === undefined ? [] : [meta._id];
    });
    expect(ids).toHaveLength(8);
    for (const id of ids) expect(Buffer.byteLength(id, 'utf8')).toBeLessThanOrEqual(MAX_ID_BYTES);
    expect(new Set(ids).size).toBe(8);
    expect(operations.filter((op) => (op as RecommendationDoc).workload?.key === longName)).toHaveLength(6);
  });

  it('keeps short ids as they were (the bare job key), and hashes long ones deterministically without colliding with a job key', () => {
    expect(recommendationId('short/job')).toBe('short/job');
    expect(recommendationDocId({ kind: 'jenkins.label', key: 'linux' })).toBe('jenkins.label:linux');
    const hashed = recommendationId(longName);
    expect(hashed).toBe(fitId(longName));
    expect(hashed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(recommendationDocId({ kind: 'jenkins.label', key: longName })).not.toBe(hashed);
    expect(Buffer.byteLength(historyId(hashed, 0), 'utf8')).toBeLessThanOrEqual(MAX_ID_BYTES);
  });
});
