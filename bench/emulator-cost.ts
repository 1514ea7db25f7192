/**
 * What the emulator itself costs, so benchmarks can subtract it: CPU of the emulator process
 * (process.cpuUsage) per running build, in model mode and in docker mode (where the Docker
 * daemon's own CPU for the stats calls is reported separately, from /proc/<dockerd pid>/stat).
 *
 *   npx tsx bench/emulator-cost.ts [windowSeconds=20] [builds=4,8]
 *
 * Builds are idle containers (0 cores, 1 MiB) so the host's CPU goes to the emulator only.
 * A 1 Hz scrape of every master, agent and Jenkins endpoint runs during the window, as a
 * collector would.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulatedCluster, validateScenario } from '../src/emulators/index.js';
import type { UsageMode } from '../src/emulators/index.js';

const WINDOW_S = Number(process.argv[2] ?? 20);
const SIZES = (process.argv[3] ?? '4,8').split(',').map(Number);
const REPO = join(import.meta.dirname, '..');
const DOCKER_HOST = process.env['DOCKER_HOST'] ?? `unix://${join(REPO, '.cache', 'docker', 'docker.sock')}`;
const CLK_TCK = 100;

function dockerdCpuSecs(): number | undefined {
  const pidFile = join(REPO, '.cache', 'docker', 'dockerd.pid');
  if (!existsSync(pidFile)) return undefined;
  try {
    const stat = readFileSync(`/proc/${readFileSync(pidFile, 'utf8').trim()}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime (fields 14-17 of proc(5), 0-based 11-14 after the comm).
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

async function measure(mode: UsageMode, builds: number): Promise<void> {
  const scenario = validateScenario({
    name: 'bench',
    seed: 1,
    mesos: { masters: 3, launchSeconds: 1 },
    agents: [{ count: 2, cpus: 64, memMb: 65536 }],
    labels: [{ name: 'idle', slaveCpus: 0.1, executorCpus: 0.1, slaveMem: 64, executorMem: 0, minExecutors: 1, maxExecutors: 1, singleUse: true }],
    jobs: Array.from({ length: builds }, (_, i) => ({
      name: `idle-${i}`,
      label: 'idle',
      ratePerHour: 0,
      firstBuildAfterSeconds: 0,
      duration: { kind: 'fixed', seconds: WINDOW_S + 30 },
      cpu: { kind: 'constant', cores: 0 },
      memMb: 1,
    })),
  });
  const em = await startEmulatedCluster(scenario, { usage: mode, dockerHost: DOCKER_HOST });
  if (em.urls.mode !== mode) {
    console.log(`${mode}: not available (${em.fallbackReason ?? 'unknown'})`);
    await em.stop();
    return;
  }
  const auth = 'Basic ' + Buffer.from(`${em.urls.jenkins.user}:${em.urls.jenkins.token}`).toString('base64');
  const deadline = Date.now() + 30_000;
  while ([...em.cluster.engine.jobs.values()].some((j) => !j.builds[0]?.building) || (mode === 'docker' && em.cluster.runtime.liveContainers().length < builds)) {
    if (Date.now() > deadline) throw new Error('builds did not start within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2000)); // let container starts settle
  const scrape = async () => {
    await Promise.all([
      ...em.urls.masters.map((m) => fetch(m + '/metrics/snapshot').then((r) => r.arrayBuffer())),
      fetch(em.urls.masters[0] + '/master/state').then((r) => r.arrayBuffer()),
      ...em.urls.agents.map((a) => fetch(a + '/monitor/statistics').then((r) => r.arrayBuffer())),
      fetch(em.urls.jenkins.url + 'queue/api/json', { headers: { authorization: auth } }).then((r) => r.arrayBuffer()),
      fetch(em.urls.jenkins.url + 'computer/api/json?depth=1', { headers: { authorization: auth } }).then((r) => r.arrayBuffer()),
    ]);
  };
  const d0 = dockerdCpuSecs();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let scrapes = 0;
  while (Number(process.hrtime.bigint() - t0) / 1e9 < WINDOW_S) {
    const next = Date.now() + 1000;
    await scrape();
    scrapes++;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const d1 = dockerdCpuSecs();
  const running = [...em.cluster.engine.jobs.values()].filter((j) => j.builds[0]?.building).length;
  const cores = (c.user + c.system) / 1e6 / wallS;
  const dockerd = d0 !== undefined && d1 !== undefined && mode === 'docker' ? (d1 - d0) / wallS : undefined;
  console.log(
    JSON.stringify({
      mode,
      runningBuilds: running,
      windowS: Math.round(wallS * 10) / 10,
      scrapes,
      emulatorCores: Number(cores.toFixed(4)),
      emulatorCoresPerBuild: Number((cores / running).toFixed(4)),
      ...(dockerd === undefined ? {} : { dockerdCores: Number(dockerd.toFixed(4)), dockerdCoresPerBuild: Number((dockerd / running).toFixed(4)) }),
    }),
  );
  await em.stop();
}

for (const mode of ['model', 'docker'] as const) for (const n of SIZES) await measure(mode, n);
