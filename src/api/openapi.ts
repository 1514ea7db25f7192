import { Allocation, ErrorBody, Health, ListQuery, MAX_JOB_NAME, RecommendationList } from './schemas.js';

const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorBody, description);

/**
 * The OpenAPI 3.1 description of `rightsize serve` (served at `/api/openapi.json`), built from
 * the same TypeBox schemas the routes validate and serialize with, so the two cannot drift.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  // TypeBox marks its schemas with symbols; a JSON round trip leaves plain JSON Schema.
  const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
  const listParams = Object.entries(ListQuery.properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema: plain(schema) }));
  return plain({
    openapi: '3.1.0',
    info: {
      title: 'rightsize',
      version,
      description: 'What CPU and memory Jenkins-on-Mesos jobs should reserve, from their measured builds (docs/api.md).',
    },
    paths: {
      '/api/v1/jobs/{job}': {
        get: {
          summary: "What the job's next build should get",
          description: `The job full name as the rest of the path: folder separators stay "/", other characters URL-encoded; 1 to ${MAX_JOB_NAME} characters. A pull-request job (…/PR-123) is answered from its …/PR-* workload when pull requests are sized together.`,
          parameters: [{ name: 'job', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: json(Allocation, 'The recommended allocation.'),
            400: error('RS_ERR_API_BAD_REQUEST: a malformed job name.'),
            404: error("RS_ERR_API_NOT_FOUND: no recommendation for the job yet; keep its label's size."),
            503: error('RS_ERR_STORE_UNAVAILABLE: the recommendations have not been loaded yet.'),
          },
        },
      },
      '/api/v1/recommendations': {
        get: {
          summary: 'Latest recommendations of one workload kind, largest weekly savings first',
          parameters: listParams,
          responses: {
            200: json(RecommendationList, 'One page of recommendations.'),
            400: error('RS_ERR_API_BAD_REQUEST: an unknown parameter or a value out of range.'),
            503: error('RS_ERR_STORE_UNAVAILABLE: the recommendations have not been loaded yet.'),
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Whether recommendations are loaded and how old they are',
          responses: { 200: json(Health, 'Loaded (`ok`, or `stale` past api.staleAfterMs).'), 503: json(Health, 'Nothing loaded yet (`unavailable`).') },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus text exposition of the API counters', responses: { 200: { description: 'Prometheus text format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } } } },
      },
    },
  });
}
