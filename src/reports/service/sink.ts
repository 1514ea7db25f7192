import type { Client } from '@elastic/elasticsearch';
import type { ReportSink, StoredReport } from '../../model/index.js';
import { indexName, wrapEsError } from '../../store/index.js';
import { isRecord } from '../../util/json.js';

/** The document of a stored report in `<prefix>-reports` (`_id` = the report id, e.g. `weekly:2026-W47`). */
export function reportDocument(r: StoredReport): Record<string, unknown> {
  const f = isRecord(r.figures) ? r.figures : {};
  const period = isRecord(f['period']) ? f['period'] : {};
  return {
    '@timestamp': new Date(r.generatedAtMs).toISOString(),
    report: { id: r.id, kind: r.kind, period: r.period, ...(typeof f['time_zone'] === 'string' ? { time_zone: f['time_zone'] } : {}) },
    ...(typeof period['start'] === 'string' && typeof period['end'] === 'string' ? { period: { start: period['start'], end: period['end'] } } : {}),
    generated_at: r.generatedAtMs,
    ...(isRecord(f['totals']) ? { totals: f['totals'] } : {}),
    figures: r.figures,
    html: r.html,
    markdown: r.markdown,
    csv: r.csv,
  };
}

/** Reads a stored report back (undefined when the source is not one). */
export function fromReportDocument(source: unknown): StoredReport | undefined {
  if (!isRecord(source) || !isRecord(source['report'])) return undefined;
  const rep = source['report'];
  const { html, markdown, csv, generated_at: gen } = source;
  if (typeof rep['id'] !== 'string' || rep['kind'] !== 'weekly' || typeof rep['period'] !== 'string') return undefined;
  if (typeof html !== 'string' || typeof markdown !== 'string' || typeof csv !== 'string' || typeof gen !== 'number') return undefined;
  return { id: rep['id'], kind: 'weekly', period: rep['period'], generatedAtMs: gen, figures: source['figures'], html, markdown, csv };
}

/**
 * Reports in Elasticsearch: one document per report id in `<prefix>-reports`, written with `index`
 * (a re-run of the same week replaces it) and refreshed, so the API sees it at once.
 */
export class ElasticsearchReportSink implements ReportSink {
  constructor(
    private readonly client: Client,
    private readonly prefix: string,
  ) {}

  async put(report: StoredReport): Promise<void> {
    const index = indexName(this.prefix, 'reports', 0);
    try {
      await this.client.index({ index, id: report.id, document: reportDocument(report), refresh: true });
    } catch (err) {
      throw wrapEsError(err, `writing report ${report.id} to ${index}`);
    }
  }

  async get(id: string): Promise<StoredReport | undefined> {
    const index = indexName(this.prefix, 'reports', 0);
    try {
      const r = await this.client.get({ index, id }, { ignore: [404] });
      return r.found ? fromReportDocument(r._source) : undefined;
    } catch (err) {
      throw wrapEsError(err, `reading report ${id} from ${index}`);
    }
  }
}

/** Reports in memory (tests, `report weekly` without a store). */
export class InMemoryReportSink implements ReportSink {
  private readonly reports = new Map<string, StoredReport>();
  put(report: StoredReport): Promise<void> {
    this.reports.set(report.id, report);
    return Promise.resolve();
  }
  get(id: string): Promise<StoredReport | undefined> {
    return Promise.resolve(this.reports.get(id));
  }
}
