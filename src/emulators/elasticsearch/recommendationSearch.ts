import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecommendationDoc } from '../../model/index.js';

/**
 * Just enough of Elasticsearch for a full read of `<prefix>-recommendations`: `POST
 * /<index>/_search` with `size`, `sort` on `workload.kind`, `workload.key` and `search_after`,
 * answered from documents in memory (in keyword order: code units), with the
 * `x-elastic-product: Elasticsearch` header the official client checks. Every other request
 * answers 404. For the API reload benchmark and the reload worker's tests.
 */
export interface RecommendationSearchServer {
  readonly url: string;
  /** `_search` requests answered so far. */
  searches(): number;
  /** Serves these documents from now on. */
  replace(docs: readonly RecommendationDoc[]): void;
  close(): Promise<void>;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function startRecommendationSearch(docs: readonly RecommendationDoc[], host = '127.0.0.1'): Promise<RecommendationSearchServer> {
  const order = (list: readonly RecommendationDoc[]): RecommendationDoc[] => [...list].sort((a, b) => cmp(a.workload.kind, b.workload.kind) || cmp(a.workload.key, b.workload.key));
  let sorted = order(docs);
  let searches = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };
      if (req.method !== 'POST' || !/^\/[^/]+\/_search(\?|$)/.test(req.url ?? '')) {
        res.writeHead(404, headers).end(JSON.stringify({ error: { type: 'not_found' }, status: 404 }));
        return;
      }
      searches++;
      let body: { size?: number; search_after?: [string, string] } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof body;
      } catch {
        res.writeHead(400, headers).end(JSON.stringify({ error: { type: 'parse_exception' }, status: 400 }));
        return;
      }
      const size = body.size ?? 10;
      let from = 0;
      const after = body.search_after;
      if (after !== undefined) {
        // First document after the sort values (binary search over kind, key).
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          const d = sorted[mid] as RecommendationDoc;
          if ((cmp(d.workload.kind, after[0]) || cmp(d.workload.key, after[1])) <= 0) lo = mid + 1;
          else hi = mid;
        }
        from = lo;
      }
      const hits = sorted.slice(from, from + size).map((d) => ({ _index: 'recommendations', _id: d.workload.key, _score: null, _source: d, sort: [d.workload.kind, d.workload.key] }));
      res.writeHead(200, headers).end(JSON.stringify({ took: 1, timed_out: false, hits: { hits } }));
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    searches: () => searches,
    replace: (next) => {
      sorted = order(next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
