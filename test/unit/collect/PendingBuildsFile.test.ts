import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PendingBuildsFile, type PendingBuildRecord } from '../../../src/collect/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-pbf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record: PendingBuildRecord = {
  build: { jenkinsUrl: 'http://jenkins/', jobName: 'a/b', number: 3, builtOn: 'agent-1', startMs: 1000, durationMs: 500, endMs: 1500, queue: { waitMs: 20 }, result: 'SUCCESS' },
  request: { cpus: 2, memBytes: 1024 },
  firstDueMs: 2000,
  dueMs: 2500,
  attempts: 1,
};

describe('PendingBuildsFile', () => {
  it('round-trips records through an atomic write (no temporary file left), creating the directory', async () => {
    const f = new PendingBuildsFile(join(dir, 'nested', 'pending-builds.json'));
    expect(await f.load()).toEqual([]); // missing file: empty
    await f.save([record]);
    expect(await f.load()).toEqual([record]);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['pending-builds.json']);
  });

  it('skips records without what a summary needs; a file that is not ours is an error', async () => {
    const path = join(dir, 'mixed.json');
    writeFileSync(path, JSON.stringify({ format: 'rightsize-pending-builds', version: 1, builds: [record, { build: { jobName: 'x' } }, 'junk', { ...record, dueMs: 'soon' }] }));
    expect(await new PendingBuildsFile(path).load()).toEqual([record]);
    writeFileSync(path, '{"builds":[]}');
    await expect(new PendingBuildsFile(path).load()).rejects.toMatchObject({ code: 'RS_ERR_PARSE_SHAPE' });
    writeFileSync(path, '{not json');
    await expect(new PendingBuildsFile(path).load()).rejects.toMatchObject({ code: 'RS_ERR_PARSE_JSON' });
  });
});
