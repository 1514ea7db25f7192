import { describe, expect, it } from 'vitest';
import { alertMetricFamilies, buildMetricsApp, collectorMetricFamilies, renderPrometheus } from '../../../src/api/index.js';
import type { TargetStats } from '../../../src/model/index.js';
import { Histogram } from '../../../src/api/prometheus.js';

const target = (over: Partial<TargetStats>): TargetStats => ({
  target: 'docker unix:///var/run/docker.sock',
  polls: 10,
  failedPolls: 1,
  skippedTicks: 0,
  documents: 42,
  itemErrors: 2,
  skipped: { first_reading: 3 },
  consecutiveFailures: 0,
  nextDelayMs: 10_000,
  ...over,
});

describe('Prometheus text', () => {
  it('escapes label values (backslash, quote, newline) and writes HELP/TYPE once per family', () => {
    const text = renderPrometheus([
      { name: 'x_total', type: 'counter', help: 'Things.', samples: [{ labels: { target: 'a"b\\c\nd' }, value: 3 }, { value: 1.5 }] },
      { name: 'y', type: 'gauge', help: 'Y.', samples: [{ value: NaN }, { value: Infinity }] },
    ]);
    expect(text).toBe('# HELP x_total Things.\n# TYPE x_total counter\nx_total{target="a\\"b\\\\c\\nd"} 3\nx_total 1.5\n# HELP y Y.\n# TYPE y gauge\ny NaN\ny +Inf\n');
  });

  it('a collect process: per-target, sink and build-summary counters', () => {
    const fams = collectorMetricFamilies(
      [target({}), target({ target: 'mesos-master http://m1:5050/', polls: 4, failedPolls: 4, consecutiveFailures: 4, skipped: {}, lastError: 'RS_ERR_HTTP_CONNECT', lastPollMs: 1_700_000_000_500 })],
      { received: 100, indexed: 90, dropped: 1, buffered: 9, failedRequests: 2 },
      { received: 5, pending: 1, written: 4, withoutSamples: 0, withoutRequest: 1, retries: 2, resumed: 0, droppedOverflow: 0, droppedExpired: 0, droppedRejected: 0 },
    );
    const text = renderPrometheus(fams);
    expect(text).toContain('rightsize_collector_polls_total{target="docker unix:///var/run/docker.sock"} 10');
    expect(text).toContain('rightsize_collector_failed_polls_total{target="mesos-master http://m1:5050/"} 4');
    expect(text).toContain('rightsize_collector_consecutive_failures{target="mesos-master http://m1:5050/"} 4');
    expect(text).toContain('rightsize_collector_skipped_items_total{target="docker unix:///var/run/docker.sock",reason="first_reading"} 3');
    // A target never polled has no timestamp sample (absent, not 0).
    expect(text).toContain('rightsize_collector_last_poll_timestamp_seconds{target="mesos-master http://m1:5050/"} 1700000000.5');
    expect(text).not.toContain('rightsize_collector_last_poll_timestamp_seconds{target="docker');
    expect(text).toContain('rightsize_sink_buffered_documents 9');
    expect(text).toContain('rightsize_sink_dropped_documents_total 1');
    expect(text).toContain('rightsize_builds_without_request_total 1');
    expect(text).toContain('rightsize_builds_dropped_total{reason="expired"} 0');
    expect(renderPrometheus(collectorMetricFamilies([], { received: 0, indexed: 0, dropped: 0, buffered: 0, failedRequests: 0 }))).not.toContain('rightsize_builds_');
  });

  it('the metrics app serves /metrics as text and /healthz as JSON, read on every scrape', async () => {
    let polls = 1;
    const app = buildMetricsApp({ families: () => collectorMetricFamilies([target({ polls })], { received: 0, indexed: 0, dropped: 0, buffered: 0, failedRequests: 0 }), health: () => ({ status: 'ok' }) });
    try {
      const m1 = await app.inject({ url: '/metrics' });
      expect(m1.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(m1.body).toContain('rightsize_collector_polls_total{target="docker unix:///var/run/docker.sock"} 1');
      polls = 2;
      expect((await app.inject({ url: '/metrics' })).body).toContain('rightsize_collector_polls_total{target="docker unix:///var/run/docker.sock"} 2');
      expect(JSON.parse((await app.inject({ url: '/healthz' })).body)).toEqual({ status: 'ok' });
      expect((await app.inject({ url: '/other' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});


describe('alertMetricFamilies (alerts run --metrics-port)', () => {
  it('renders deliveries per receiver and runs per scheduled job as Prometheus series', () => {
    const text = renderPrometheus(
      alertMetricFamilies(
        [
          { receiver: 'ops', kind: 'email', delivered: 3, failedAttempts: 2, dropped: 1, queued: 4 },
          { receiver: 'chat', kind: 'dingtalk', delivered: 0, failedAttempts: 0, dropped: 0, queued: 0 },
        ],
        [{ name: 'alerts:cluster-cpu-allocation', runs: 7, failedRuns: 1, skippedTicks: 0 }],
      ),
    );
    expect(text).toContain('# TYPE rightsize_notifications_delivered_total counter');
    expect(text).toContain('rightsize_notifications_delivered_total{receiver="ops",kind="email"} 3');
    expect(text).toContain('rightsize_notifications_failed_attempts_total{receiver="ops",kind="email"} 2');
    expect(text).toContain('rightsize_notifications_dropped_total{receiver="ops",kind="email"} 1');
    expect(text).toContain('# TYPE rightsize_notifications_queued gauge');
    expect(text).toContain('rightsize_notifications_queued{receiver="chat",kind="dingtalk"} 0');
    expect(text).toContain('rightsize_scheduled_job_runs_total{job="alerts:cluster-cpu-allocation"} 7');
    expect(text).toContain('rightsize_scheduled_job_failed_runs_total{job="alerts:cluster-cpu-allocation"} 1');
  });
});

describe('Histogram', () => {
  it('counts each observation in every bucket whose bound it does not exceed (cumulative), with +Inf, sum and count per label value', () => {
    const h = new Histogram('rightsize_api_request_duration_seconds', 'Latency.', 'route', [0.01, 0.1, 1]);
    for (const v of [0.005, 0.01, 0.05, 0.5, 2]) h.observe('/a', v);
    h.observe('/b', 0.2);
    const text = renderPrometheus([h.family()]);
    expect(text).toContain('# TYPE rightsize_api_request_duration_seconds histogram');
    const series = (route: string) =>
      text
        .split('\n')
        .filter((l) => l.includes(`route="${route}"`))
        .map((l) => l.replace(`route="${route}",`, '').replace(`{route="${route}"}`, ''));
    expect(series('/a')).toEqual([
      'rightsize_api_request_duration_seconds_bucket{le="0.01"} 2',
      'rightsize_api_request_duration_seconds_bucket{le="0.1"} 3',
      'rightsize_api_request_duration_seconds_bucket{le="1"} 4',
      'rightsize_api_request_duration_seconds_bucket{le="+Inf"} 5',
      `rightsize_api_request_duration_seconds_sum ${0.005 + 0.01 + 0.05 + 0.5 + 2}`,
      'rightsize_api_request_duration_seconds_count 5',
    ]);
    expect(series('/b')).toEqual([
      'rightsize_api_request_duration_seconds_bucket{le="0.01"} 0',
      'rightsize_api_request_duration_seconds_bucket{le="0.1"} 0',
      'rightsize_api_request_duration_seconds_bucket{le="1"} 1',
      'rightsize_api_request_duration_seconds_bucket{le="+Inf"} 1',
      'rightsize_api_request_duration_seconds_sum 0.2',
      'rightsize_api_request_duration_seconds_count 1',
    ]);
  });

});
