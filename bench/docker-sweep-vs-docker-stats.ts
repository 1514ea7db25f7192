/**
 * Issue 2 bench (a): wall time of one Docker collection sweep over N running containers versus
 * `docker stats --no-stream` on the same engine, in the same run. Goal: ratio ≤ 0.7.
 *
 *   npx tsx bench/docker-sweep-vs-docker-stats.ts [--containers 100] [--repeat 3]
 *
 * Needs the project's engine (`npm run docker:start`) and the docker CLI. Prints numbers; it is
 * not a test. Every container it starts is removed at the end.
 */
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { collectorFromEndpoint } from '../src/collectors/docker/index.js';
import { MIB, WorkloadContainers } from '../test/support/docker.js';
import { testDockerHost } from '../test/support/env.js';

const exec = promisify(execFile);
const { values } = parseArgs({ options: { containers: { type: 'string', default: '100' }, repeat: { type: 'string', default: '3' } } });
const N = Number(values.containers);
const REPEAT = Number(values.repeat);
const host = testDockerHost();
const never = new AbortController().signal;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const containers = new WorkloadContainers(`rs-bench-sweep-${process.pid}`);
try {
  const t0 = Date.now();
  for (let i = 0; i < N; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, N - i) }, (_, j) =>
        // Idle containers (busybox sleep): the bench measures collection cost, not workload noise.
        containers.start({ name: String(i + j), args: [], cmd: ['sleep', '3600'], cpus: 0.1, memoryBytes: 32 * MIB }),
      ),
    );
  }
  console.log(`started ${N} containers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // The config default (docker.concurrency = 128): one-shot stats wait for the daemon's 1 s tick.
  const collector = collectorFromEndpoint(host, { timeoutMs: 30_000, concurrency: 128 });
  let t = performance.now();
  const cold = await collector.collect(never);
  const coldMs = performance.now() - t;
  const sweeps: number[] = [];
  let docs = 0;
  let withCpu = 0;
  for (let r = 0; r < REPEAT; r++) {
    t = performance.now();
    const res = await collector.collect(never);
    sweeps.push(performance.now() - t);
    docs = res.samples.length;
    withCpu = res.samples.filter((s) => s.kind === 'container' && s.doc.cpu?.cores !== undefined).length;
  }
  await collector.shutdown();

  const cli: number[] = [];
  let cliRows = 0;
  for (let r = 0; r < REPEAT; r++) {
    t = performance.now();
    const { stdout } = await exec('docker', ['-H', host, 'stats', '--no-stream', '--format', '{{.ID}} {{.CPUPerc}} {{.MemUsage}}'], { maxBuffer: 16 * MIB });
    cli.push(performance.now() - t);
    cliRows = stdout.trim().split('\n').length;
  }

  const sweepMs = median(sweeps);
  const cliMs = median(cli);
  console.log(`engine: ${host}`);
  console.log(`first (cold) sweep, inspects included: ${coldMs.toFixed(0)} ms, ${cold.samples.length} docs`);
  console.log(`rightsize sweep (median of ${REPEAT}): ${sweepMs.toFixed(0)} ms  [${sweeps.map((x) => x.toFixed(0)).join(', ')}]  docs=${docs} with cpu=${withCpu}`);
  console.log(`docker stats --no-stream (median of ${REPEAT}): ${cliMs.toFixed(0)} ms  [${cli.map((x) => x.toFixed(0)).join(', ')}]  rows=${cliRows}`);
  console.log(`ratio sweep / docker stats: ${(sweepMs / cliMs).toFixed(3)}  (goal <= 0.7: ${sweepMs / cliMs <= 0.7 ? 'PASS' : 'FAIL'})`);
} finally {
  await containers.removeAll();
}
