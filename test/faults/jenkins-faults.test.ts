/**
 * Fault 4 (issue 15): the Jenkins of the emulated cluster behind a fault-injecting proxy
 * (support/faultProxy.ts) answering 500s, never answering (timeouts), HTML login pages with
 * status 200 and bodies trickled slower than the timeout, while `rightsize collect --print`
 * (built CLI) runs → each bad answer is a failed poll counted in /metrics, the target backs off
 * (the gap between failing polls grows beyond the interval), the Mesos targets keep producing
 * documents meanwhile, and Jenkins documents come back once it answers again.
 */
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../support/poll.js';
import { faultFixture } from './support/fixture.js';
import { FaultProxy, type FaultMode } from './support/faultProxy.js';
import { Collector, printedDocs, say, startEmulator, sumOf, writeCollectConfig } from './support/processes.js';

const CASE = 'jenkins-faults';
const INTERVAL_MS = 2_000;
const TIMEOUT_MS = 1_500;

describe('fault: Jenkins answering 500s, timeouts, login pages and slow bodies', () => {
  const { dir, procs, onCleanup } = faultFixture('jenkins');
  let proxy: FaultProxy | undefined;
  onCleanup(() => proxy?.close());

  it('counts each failure, backs off, keeps the other targets going, and recovers', async () => {
    const em = await startEmulator(dir);
    procs.push(em.proc);
    proxy = new FaultProxy(new URL(em.urls.jenkins.url));
    await proxy.listen();
    const config = writeCollectConfig(dir, { esUrl: 'http://127.0.0.1:9', prefix: 'unused', urls: em.urls, intervalMs: INTERVAL_MS, jenkinsUrl: proxy.url, jenkinsTimeoutMs: TIMEOUT_MS, dockerHosts: [] });
    const c = await Collector.start(config, dir, ['--print']);
    procs.push(c);
    const jenkins = `jenkins ${proxy.url}`;
    const metric = async (name: string, filter: string): Promise<number> => sumOf(await c.metrics(), name, filter);
    const datasetCount = (prefix: string): number => printedDocs(c).filter((d) => {
        const ds = (d['event'] as Record<string, unknown> | undefined)?.['dataset'];
        return typeof ds === 'string' && ds.startsWith(prefix);
      }).length;
    await pollUntil('Jenkins documents through the proxy', 60_000, () => Promise.resolve(datasetCount('jenkins.') > 0 || undefined));

    for (const mode of ['status500', 'hang', 'htmlLogin', 'slowBody'] as const satisfies readonly FaultMode[]) {
      const failedBefore = await metric('rightsize_collector_failed_polls_total', `target="${jenkins}"`);
      const mesosBefore = datasetCount('mesos.');
      const since = Date.now();
      proxy.mode = mode;
      // Three failing polls in this mode.
      await pollUntil(`three failed polls under ${mode}`, 120_000, async () => ((await metric('rightsize_collector_failed_polls_total', `target="${jenkins}"`)) - failedBefore >= 3 ? true : undefined), 250);
      const polls = pollStarts(proxy.requests.filter((r) => r.atMs >= since && r.mode === mode).map((r) => r.atMs));
      const gaps = polls.slice(1).map((t, i) => t - polls[i]!);
      const health = await c.healthz();
      const lastError = (health['targets'] as { target: string; last_error?: string }[]).find((t) => t.target === jenkins)?.last_error;
      const mesosDuring = datasetCount('mesos.') - mesosBefore;
      say(CASE, `${mode}: failed polls +${(await metric('rightsize_collector_failed_polls_total', `target="${jenkins}"`)) - failedBefore}, gaps between polls ${gaps.map((g) => (g / 1000).toFixed(1)).join(', ')} s (interval ${INTERVAL_MS / 1000} s), last error ${JSON.stringify(lastError)}; Mesos documents meanwhile ${mesosDuring}`);
      expect(lastError).toMatch(/^RS_ERR_/);
      // Backoff: never faster than the interval, and the later gaps longer than the interval.
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL_MS * 0.9);
      expect(Math.max(...gaps)).toBeGreaterThan(INTERVAL_MS * 1.5);
      expect(mesosDuring).toBeGreaterThan(0);
    }
    expect(await metric('rightsize_collector_failed_polls_total', 'target="mesos-')).toBe(0);

    proxy.mode = 'forward';
    const healedMs = Date.now();
    const jenkinsBefore = datasetCount('jenkins.');
    await pollUntil('Jenkins documents again', 60_000, async () => ((await metric('rightsize_collector_consecutive_failures', `target="${jenkins}"`)) === 0 && datasetCount('jenkins.') > jenkinsBefore ? true : undefined), 250);
    say(CASE, `Jenkins answering again: documents resumed ${((Date.now() - healedMs) / 1000).toFixed(1)} s later (backoff capped at collect.backoffMaxMs 10 s); Mesos failed polls 0`);
    expect((await c.stop('SIGTERM')).code).toBe(0);
  });
});

/** Request times grouped into polls (a poll's requests come within 500 ms of each other). */
function pollStarts(times: readonly number[]): number[] {
  const out: number[] = [];
  let prev: number | undefined;
  for (const t of times) {
    if (prev === undefined || t - prev > 500) out.push(t);
    prev = t;
  }
  return out;
}
