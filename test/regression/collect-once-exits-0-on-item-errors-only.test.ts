import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startFakeJenkins } from '../support/fakeJenkins.js';

// Issue 14 "Also": `collect --once` exited 0 when a target produced nothing but item errors
// (a Jenkins whose queue endpoint answers 500: no document, one item error per round).
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('regression: collect --once fails when a target produced only item errors', () => {
  it('exits 1 and says why', async () => {
    const jenkins = await startFakeJenkins(['/queue/']);
    closers.push(jenkins.close);
    const r = await runCli(['collect', '--once', '--print', '--sample-ms', '50', '--jenkins-url', jenkins.url], { RIGHTSIZE_LOG_LEVEL: 'silent' });
    expect(r.err).toMatch(/0 documents, \d+ item errors \(FAILED: only item errors\)/);
    expect(r.code).toBe(1);
  });

  it('a target that answered (documents, no item errors) still exits 0', async () => {
    const jenkins = await startFakeJenkins();
    closers.push(jenkins.close);
    const r = await runCli(['collect', '--once', '--print', '--sample-ms', '50', '--jenkins-url', jenkins.url], { RIGHTSIZE_LOG_LEVEL: 'silent' });
    expect(r.err).not.toContain('FAILED');
    expect(r.code).toBe(0);
  });
});
