/**
 * Issue 14 item 2: a Docker engine that cuts a response (`Content-Length: 100`, then `[{` and
 * close) wedged its target for good: docker-modem's promise never settled, the runner skipped
 * every later tick, and `collect --once` exited 13 with nothing printed for any target.
 * Now every engine call has a deadline and a cut body fails the call: the target reports a coded
 * error, recovers when the engine behaves, and the other targets are unaffected.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorFromEndpoint } from '../../src/collectors/docker/index.js';
import { CollectorRunner } from '../../src/scheduler/index.js';
import { InMemorySampleSink } from '../../src/store/InMemorySampleSink.js';
import { silentLogger } from '../../src/util/logger.js';
import { REPO_ROOT } from '../support/env.js';
import { FakeEngine } from '../unit/collectors/docker/fakeEngine.js';
import { send, settlesWithin, startHostileServer, type HostileServer } from './support/hostileServer.js';

const A = 'a'.repeat(64);

/** The repro of the issue: a 200 that promises 100 bytes, sends `[{` and closes. */
function cuttingEngine(): Promise<HostileServer> {
  return startHostileServer((socket, _line, counter) => {
    send(socket, counter, 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{');
    socket.end();
  });
}

function goodEngine(): FakeEngine {
  const engine = new FakeEngine();
  engine.add({ id: A, name: 'alpha', totalUsageNs: 1_000_000_000, read: '2026-11-22T03:00:00Z' });
  return engine;
}

/** Runs `rightsize collect --once --print` from the sources in a child process (what a user runs). */
async function collectOnce(dockerHosts: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  const script = "import { main } from './src/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));";
  const args = ['collect', '--once', '--print', '--sample-ms', '100', ...dockerHosts.flatMap((h) => ['--docker-host', h])];
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, RIGHTSIZE_LOG_LEVEL: 'warn', DOCKER_HOST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await settlesWithin(
    new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c))),
    50_000,
    'rightsize collect --once',
  ).finally(() => child.kill('SIGKILL'));
  return { code, out, err };
}

describe('a Docker engine that cuts its answer', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('fails the round with a coded error instead of hanging, and the same collector recovers when the engine behaves', async () => {
    const bad = await cuttingEngine();
    const port = bad.port;
    const collector = collectorFromEndpoint(`tcp://127.0.0.1:${port}`, { timeoutMs: 1000 });
    cleanup.push(() => collector.shutdown());
    const never = new AbortController().signal;

    const failed = await settlesWithin(
      collector.collect(never).then(
        () => undefined,
        (err: unknown) => err,
      ),
      5000,
      'collect against a cutting engine',
    );
    expect(failed).toMatchObject({ code: 'RS_ERR_DOCKER_API', message: expect.stringContaining('middle of the answer') });
    expect(bad.requests[0]).toMatch(/^GET \/containers\/json /);

    // The engine behaves again on the same port: the same collector reads it.
    await bad.close();
    const good = goodEngine();
    await good.start(port);
    cleanup.push(() => good.stop());
    const round = await settlesWithin(collector.collect(never), 5000, 'collect after recovery');
    expect(round.errors).toEqual([]);
    expect(round.samples.map((s) => (s.kind === 'container' ? s.doc.container.id : ''))).toEqual([A]);
  });

  it('the runner counts the poll as failed, keeps polling the target (no wedge), and the other target is unaffected', async () => {
    const bad = await cuttingEngine();
    const port = bad.port;
    const other = goodEngine();
    await other.start();
    cleanup.push(() => other.stop());
    const wedged = collectorFromEndpoint(`tcp://127.0.0.1:${port}`, { timeoutMs: 500 });
    const healthy = collectorFromEndpoint(other.url, { timeoutMs: 2000 });
    const sink = new InMemorySampleSink();
    const codes: string[] = [];
    const runner = new CollectorRunner({
      onPoll: (target, outcome) => {
        if (target === wedged.target && !outcome.ok) codes.push((outcome.error as { code?: string }).code ?? 'uncoded');
      },
      targets: [
        { collector: wedged, intervalMs: 1000, timeoutMs: 1000 },
        { collector: healthy, intervalMs: 1000, timeoutMs: 1000 },
      ],
      sink,
      logger: silentLogger(),
    });
    cleanup.push(() => runner.shutdown());

    await settlesWithin(runner.pollAllOnce(), 5000, 'first round');
    const [w1, h1] = runner.stats();
    expect(w1).toMatchObject({ polls: 1, failedPolls: 1, lastError: expect.stringContaining('cannot list containers') });
    expect(codes).toEqual(['RS_ERR_DOCKER_API']);
    expect(h1).toMatchObject({ failedPolls: 0, documents: 1 });

    await bad.close();
    const back = goodEngine();
    await back.start(port);
    cleanup.push(() => back.stop());
    await settlesWithin(runner.pollAllOnce(), 5000, 'second round');
    const [w2, h2] = runner.stats();
    expect(w2).toMatchObject({ polls: 2, failedPolls: 1, skippedTicks: 0, documents: 1, consecutiveFailures: 0 });
    expect(h2).toMatchObject({ failedPolls: 0, documents: 2 });
  });

  it('`collect --once --print` with only that engine prints a coded error and exits 1 (the issue\'s repro: it exited 13 with no message)', async () => {
    const bad = await cuttingEngine();
    cleanup.push(() => bad.close());
    const { code, out, err } = await collectOnce([`tcp://127.0.0.1:${bad.port}`]);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`docker tcp://127\\.0\\.0\\.1:${bad.port}/?: FAILED \\(.*cannot list containers`));
    expect(err).toContain('"code":"RS_ERR_DOCKER_API"'); // the runner's log line of the failed poll
    expect(code).toBe(1);
  }, 60_000);

  it('`collect --once --print` prints the other engine’s documents and a coded error, and exits 1 (never a hang)', async () => {
    const bad = await cuttingEngine();
    cleanup.push(() => bad.close());
    const other = goodEngine();
    await other.start();
    cleanup.push(() => other.stop());
    const { code, out, err } = await collectOnce([`tcp://127.0.0.1:${bad.port}`, other.url]);
    const docs = out
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { container?: { id?: string } });
    expect(docs.map((d) => d.container?.id)).toEqual([A]);
    expect(err).toMatch(new RegExp(`docker tcp://127\\.0\\.0\\.1:${bad.port}/?: FAILED \\(.*cannot list containers`));
    expect(err).toContain('"code":"RS_ERR_DOCKER_API"');
    expect(code).toBe(1);
  }, 60_000);
});
