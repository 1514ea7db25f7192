import type { BuildSummarizerStats } from '../analysis/builds/index.js';
import type { TargetStats } from '../collectors/runner/index.js';
import type { SinkStats } from '../model/index.js';

/** The content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One metric family of the Prometheus text exposition format (version 0.0.4). */
export interface MetricFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly samples: ReadonlyArray<{ readonly labels?: Readonly<Record<string, string>>; readonly value: number }>;
}

/** A family of one unlabelled sample. */
export function singleSample(name: string, type: MetricFamily['type'], help: string, value: number): MetricFamily {
  return { name, type, help, samples: [{ value }] };
}

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders metric families as Prometheus text (`# HELP`, `# TYPE`, one line per sample). */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const l = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      lines.push(`${f.name}${l} ${formatValue(s.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The counters of a `rightsize collect` process (runner targets, the bulk sink, the build
 * summarizer) as metric families, for `collect --metrics-port`.
 */
export function collectorMetricFamilies(targets: readonly TargetStats[], sink: SinkStats, builds?: BuildSummarizerStats): MetricFamily[] {
  const perTarget = (name: string, type: MetricFamily['type'], help: string, value: (t: TargetStats) => number | undefined): MetricFamily => ({
    name,
    type,
    help,
    samples: targets.flatMap((t) => {
      const v = value(t);
      return v === undefined ? [] : [{ labels: { target: t.target }, value: v }];
    }),
  });
  const one = singleSample;
  const families: MetricFamily[] = [
    perTarget('rightsize_collector_polls_total', 'counter', 'Polls of the target, successful or not.', (t) => t.polls),
    perTarget('rightsize_collector_failed_polls_total', 'counter', 'Polls that failed as a whole (unreachable, timeout, bad answer).', (t) => t.failedPolls),
    perTarget('rightsize_collector_skipped_ticks_total', 'counter', 'Ticks skipped because the previous poll was still running.', (t) => t.skippedTicks),
    perTarget('rightsize_collector_documents_total', 'counter', 'Documents the target produced.', (t) => t.documents),
    perTarget('rightsize_collector_item_errors_total', 'counter', 'Items of a poll that failed while the rest was collected.', (t) => t.itemErrors),
    {
      name: 'rightsize_collector_skipped_items_total',
      type: 'counter',
      help: 'Items left out on purpose (first reading, counter reset, bad value ...), by reason.',
      samples: targets.flatMap((t) => Object.entries(t.skipped).map(([reason, value]) => ({ labels: { target: t.target, reason }, value }))),
    },
    perTarget('rightsize_collector_consecutive_failures', 'gauge', 'Failed polls in a row (0 while the target answers).', (t) => t.consecutiveFailures),
    perTarget('rightsize_collector_last_poll_timestamp_seconds', 'gauge', 'When the target was last polled (epoch seconds).', (t) => (t.lastPollMs === undefined ? undefined : t.lastPollMs / 1000)),
    one('rightsize_sink_received_documents_total', 'counter', 'Documents handed to the bulk sink.', sink.received),
    one('rightsize_sink_indexed_documents_total', 'counter', 'Documents Elasticsearch confirmed.', sink.indexed),
    one('rightsize_sink_dropped_documents_total', 'counter', 'Documents given up on (buffer overflow or permanent rejection).', sink.dropped),
    one('rightsize_sink_buffered_documents', 'gauge', 'Documents waiting in the buffer.', sink.buffered),
    one('rightsize_sink_failed_requests_total', 'counter', 'Failed bulk requests (retried or buffered).', sink.failedRequests),
  ];
  if (builds !== undefined)
    families.push(
      one('rightsize_builds_received_total', 'counter', 'Finished builds handed to the build summarizer.', builds.received),
      one('rightsize_builds_pending', 'gauge', 'Finished builds waiting for their grace period or a retry.', builds.pending),
      one('rightsize_builds_written_total', 'counter', 'builds documents written.', builds.written),
      one('rightsize_builds_without_samples_total', 'counter', 'Of those written: builds without any reading.', builds.withoutSamples),
      one('rightsize_builds_without_request_total', 'counter', 'Of those written: builds whose Mesos task request was unknown.', builds.withoutRequest),
      one('rightsize_builds_retries_total', 'counter', 'Usage searches that failed and were scheduled again.', builds.retries),
      {
        name: 'rightsize_builds_dropped_total',
        type: 'counter',
        help: 'Finished builds given up on, by reason.',
        samples: [
          { labels: { reason: 'overflow' }, value: builds.droppedOverflow },
          { labels: { reason: 'expired' }, value: builds.droppedExpired },
          { labels: { reason: 'rejected' }, value: builds.droppedRejected },
        ],
      },
    );
  return families;
}
