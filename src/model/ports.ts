/**
 * The interfaces the I/O shell plugs into. Pure code and the scheduler depend on these, never on a
 * concrete client: a collector, a sink, a notifier and a report sink can each be swapped for an
 * in-process double in tests.
 */
import type { CollectionResult, Sample } from './samples.js';
import type { RecommendationDoc, Severity } from './documents.js';

/**
 * One source of samples (a Docker engine, a set of Mesos masters, a Jenkins). Implementations
 * MUST return partial failures as `errors` in the result instead of throwing; they throw only
 * when the whole round is impossible (and then the runner counts it against the target).
 * They MUST honour `signal`: when it aborts, stop and return what is done.
 */
export interface Collector {
  /** Stable target name for counters and logs, credentials redacted (e.g. `docker unix:///var/run/docker.sock`). */
  readonly target: string;
  collect(signal: AbortSignal): Promise<CollectionResult>;
  /** Releases connections; idempotent. */
  shutdown(): Promise<void>;
}

/** Counters of a sink; all monotonic. */
export interface SinkStats {
  /** Documents accepted by `write`. */
  readonly received: number;
  /** Documents Elasticsearch confirmed (created or already present with that `_id`). */
  readonly indexed: number;
  /** Documents given up on (buffer overflow or permanent rejection); each is also logged. */
  readonly dropped: number;
  /** Documents waiting in the buffer now. */
  readonly buffered: number;
  /** Failed bulk attempts (each later retried or buffered). */
  readonly failedRequests: number;
  /** Item errors: fields removed from documents the store would have refused, the rest kept (sinks that guard fields). */
  readonly removedFields?: number;
}

/**
 * Where collectors put samples. `write` MUST NOT block on I/O: it buffers, and flushing happens
 * in the background. A sample is indexed at most once per deterministic `_id`, so retries never
 * duplicate.
 */
export interface SampleSink {
  write(samples: readonly Sample[]): void;
  /** Resolves when everything written so far is indexed, or the deadline passes. */
  forceFlush(timeoutMs?: number): Promise<void>;
  stats(): SinkStats;
  /** Flushes what it can and stops; idempotent. */
  shutdown(): Promise<void>;
}

/** What an alert notification says about one alert (one group of one rule). */
export interface AlertNotice {
  readonly ruleId: string;
  readonly ruleName: string;
  /** The group-by value (a label, an agent), absent for an ungrouped rule. */
  readonly group?: string;
  readonly severity: Severity;
  readonly action: 'fired' | 'repeated' | 'resolved';
  /** The evaluated value, absent for no-data rules. */
  readonly value?: number;
  readonly threshold?: number;
  /** The rendered message template (plain text, not escaped: each notifier escapes for its medium). */
  readonly message: string;
  /** A link to the web UI, when `api.publicUrl` is configured. */
  readonly url?: string;
  /** Epoch ms the alert started firing. */
  readonly sinceMs: number;
}

/**
 * One message for one receiver: an alert group (several notices from one evaluation), a weekly
 * report, or a test message. Every text field is unescaped; the notifier escapes for its medium
 * (HTML for email, the chat service's markdown). `html` is a complete, already-escaped HTML body
 * a notifier MAY send instead of rendering `text` (the weekly report).
 */
export interface OutboundMessage {
  /** Idempotency key: an outbox delivers one id at most once per receiver. */
  readonly id: string;
  readonly kind: 'alert' | 'report' | 'test';
  readonly severity: Severity;
  /** One line, e.g. `[critical] cluster-cpu-allocation: firing`. */
  readonly subject: string;
  /** Plain-text body. */
  readonly text: string;
  /** A complete HTML body, already escaped (reports). */
  readonly html?: string;
  /** The structured alerts behind an alert message (for chat templates). */
  readonly alerts?: readonly AlertNotice[];
  /** Epoch ms the message was created (age limits in outboxes are measured from here). */
  readonly createdAtMs: number;
}

/** A delivery channel (SMTP, a chat webhook). `send` throws a RightsizeError when delivery failed. */
export interface Notifier {
  /** The receiver name from config (`receivers.<name>`). */
  readonly receiver: string;
  /** `email`, `slack`, `dingtalk`, `wecom`, `feishu` or `webhook`. */
  readonly kind: string;
  send(message: OutboundMessage, signal: AbortSignal): Promise<void>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** A rendered report, as stored and served. */
export interface StoredReport {
  /** e.g. `weekly:2026-W47`. */
  readonly id: string;
  readonly kind: 'weekly';
  /** ISO week, `2026-W47`. */
  readonly period: string;
  readonly generatedAtMs: number;
  /** The figures every format is rendered from. */
  readonly figures: unknown;
  readonly html: string;
  readonly markdown: string;
  readonly csv: string;
}

/** Where a report is kept (Elasticsearch in production, memory in tests). */
export interface ReportSink {
  put(report: StoredReport): Promise<void>;
  get(id: string): Promise<StoredReport | undefined>;
}

/** When a scheduled job runs: every `everyMs`, or at the times of a cron expression (node-cron syntax). */
export type Schedule =
  | { readonly everyMs: number; /** First run after this delay, ms. @defaultValue 0 */ readonly initialDelayMs?: number }
  | { readonly cron: string; /** IANA zone. @defaultValue UTC */ readonly timezone?: string };

/** Work the scheduler runs periodically. `run` MUST honour `signal` (timeout or stop). */
export interface ScheduledJob {
  /** Stable name for counters and logs. */
  readonly name: string;
  readonly schedule: Schedule;
  /** A run that takes longer is aborted and counted as failed, ms. @defaultValue the interval, or 10 min for cron */
  readonly timeoutMs?: number;
  run(signal: AbortSignal): Promise<void>;
}

/** One page of the latest recommendations as read from the store. */
export interface RecommendationPage {
  readonly docs: readonly RecommendationDoc[];
  /** Stored documents without a workload kind and key, left out. */
  readonly skipped: number;
}

/** Every latest recommendation, page by page, from one store. */
export interface RecommendationPages {
  /** The pages of one full read; MUST stop when `signal` aborts. */
  pages(signal: AbortSignal): AsyncIterable<RecommendationPage>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** Where the reload worker reads (structured-cloned into the worker: plain data). */
export interface RecommendationSourceSpec {
  /** The Elasticsearch connection (config `elasticsearch`). */
  readonly elasticsearch: {
    readonly url: string;
    readonly apiKey?: string;
    readonly username?: string;
    readonly password?: string;
    readonly caFile?: string;
    readonly requestTimeoutMs: number;
  };
  readonly prefix: string;
  readonly pageSize: number;
}

/**
 * What a module the API's reload worker loads must export (by URL, since the worker thread
 * imports its I/O itself; serve passes store/queries/recommendationSource.ts).
 */
export interface RecommendationPagesModule {
  openRecommendationPages(spec: RecommendationSourceSpec): RecommendationPages;
}
