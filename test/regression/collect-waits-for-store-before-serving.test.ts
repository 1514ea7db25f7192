import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeJenkins } from '../support/fakeJenkins.js';
import { REPO_ROOT } from '../support/env.js';
import { pollUntil } from '../support/poll.js';
import { freePort } from '../unit/store/fakeEs.js';

// Issue 9 item 1 and issue 14 item 6: with Elasticsearch down at start, `collect` retried the
// templates before anything else: no /metrics, no /healthz, nothing collected into the buffer,
// and SIGTERM then exited 1. Now it serves both at once (the store shown unreachable), collects
// into the buffer from the first tick, and exits 0 on SIGTERM.
const dir = mkdtempSync(join(tmpdir(), 'rs-collect-down-'));
let proc: ChildProcess | undefined;
let closeJenkins: (() => Promise<void>) | undefined;
afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  await closeJenkins?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('regression: collect with Elasticsearch down at start', () => {
  it('serves /metrics and /healthz, buffers what it collects, and exits 0 on SIGTERM', async () => {
    const tsx = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    if (!existsSync(tsx)) throw new Error(`${tsx} is missing: npm ci`);
    const jenkins = await startFakeJenkins();
    closeJenkins = jenkins.close;
    const config = join(dir, 'rightsize.yaml');
    writeFileSync(config, `elasticsearch:\n  url: http://127.0.0.1:${await freePort()}\njenkins:\n  url: ${jenkins.url}\n  intervalMs: 300\n  timeoutMs: 300\ncollect:\n  stateDir: ${join(dir, 'state')}\n`);
    const entry = join(REPO_ROOT, 'test', 'support', 'cli-entry.ts');
    proc = spawn(process.execPath, ['--import', tsx, entry, 'collect', '--config', config, '--metrics-port', '0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const base = await pollUntil('the metrics address in the log', 60_000, () => {
      if (proc!.exitCode !== null) throw new Error(`collect exited with ${proc!.exitCode}: ${err}`);
      return Promise.resolve(/"address":"(http:\/\/[^"]+)"/.exec(err)?.[1]);
    }, 50);
    const health = await pollUntil('/healthz showing the store unreachable', 10_000, async () => {
      const h = (await (await fetch(`${base}/healthz`)).json()) as { status: string; store?: { status: string; last_error?: string } };
      return h.store?.status === 'unreachable' ? h : undefined;
    }, 100);
    expect(health.status).toBe('degraded');
    expect(health.store?.last_error).toMatch(/^RS_ERR_STORE_UNREACHABLE/);
    const received = async (): Promise<number> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/^rightsize_sink_buffered_documents (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    expect(await pollUntil('queue documents in the buffer', 20_000, async () => ((await received()) >= 2 ? received() : undefined), 100)).toBeGreaterThanOrEqual(2);
    const exited = new Promise<number | null>((resolve) => proc!.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited, err.slice(-2000)).toBe(0);
  }, 120_000);
});
