import { describe, expect, it } from 'vitest';
import { classifyBulkItem, classifyBulkResponse } from '../../../src/store/index.js';

describe('classifyBulkItem', () => {
  it('2xx is stored, 409 on create exists, 429/5xx retryable, other statuses rejected', () => {
    expect(classifyBulkItem({ create: { _id: 'a', status: 201 } })).toEqual({ op: 'create', id: 'a', status: 201, outcome: 'stored' });
    expect(classifyBulkItem({ index: { status: 200 } }).outcome).toBe('stored');
    expect(classifyBulkItem({ create: { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } } }).outcome).toBe('exists');
    // 409 on `index` is a real conflict, not "already there".
    expect(classifyBulkItem({ index: { status: 409 } }).outcome).toBe('rejected');
    expect(classifyBulkItem({ create: { status: 429 } }).outcome).toBe('retryable');
    expect(classifyBulkItem({ create: { status: 503 } }).outcome).toBe('retryable');
    const bad = classifyBulkItem({ create: { _id: 'x', status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [memory.usage_bytes]' } } });
    expect(bad).toMatchObject({ outcome: 'rejected', reason: '400 mapper_parsing_exception: failed to parse field [memory.usage_bytes]' });
  });

  it('an unreadable item is rejected with status 0, never a crash', () => {
    for (const item of [null, 'x', 42, [], {}, { create: 'no' }]) expect(classifyBulkItem(item)).toMatchObject({ status: 0, outcome: 'rejected' });
  });

  it('a response without one item per operation is undefined (nobody can tell which documents made it)', () => {
    expect(classifyBulkResponse({ items: [{ create: { status: 201 } }] }, 2)).toBeUndefined();
    expect(classifyBulkResponse({ errors: false }, 1)).toBeUndefined();
    expect(classifyBulkResponse(null, 0)).toBeUndefined();
    expect(classifyBulkResponse({ items: [{ create: { status: 201 } }, { create: { status: 500 } }] }, 2)?.map((i) => i.outcome)).toEqual(['stored', 'retryable']);
  });
});
