import { Type, type Static } from '@sinclair/typebox';
import type { WorkloadKind } from '../model/index.js';

/**
 * The API's request and response schemas (TypeBox: JSON Schema for Fastify's validation and
 * serialization, static types for the handlers, and the OpenAPI document).
 */

/** Jenkins caps nothing, but no real job name is this long; longer paths are refused (400). */
export const MAX_JOB_NAME = 1024;
export const KINDS: readonly WorkloadKind[] = ['jenkins.job', 'jenkins.label', 'marathon.app'];
/**
 * The largest page of `GET /api/v1/recommendations` (issue 14 item 5: 200 concurrent pages of
 * 10,000 took 22 s and 3.75 GB). A larger `limit` is a 400; page through with `offset`.
 */
export const MAX_PAGE = 500;

export const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
export const Resources = Type.Object({ cpu_cores: Type.Optional(Type.Number()), memory_bytes: Type.Optional(Type.Number()) });

/** What `GET /api/v1/jobs/<job>` answers: the allocation a scheduler should give the job's next build. */
export const Allocation = Type.Object({
  job: Type.String({ description: 'The Jenkins job full name asked for.' }),
  workload: Type.Object({ kind: Type.String(), key: Type.String({ description: 'The workload the job is sized as (…/PR-* for pull requests when split by branch kind).' }) }),
  cpu_cores: Type.Optional(Type.Number({ description: 'Recommended CPU, cores.' })),
  memory_bytes: Type.Optional(Type.Number({ description: 'Recommended memory, bytes.' })),
  lower: Type.Optional(Resources),
  upper: Type.Optional(Resources),
  current: Resources,
  label: Type.Optional(Type.String({ description: 'The Jenkins label the builds ran on.' })),
  confidence: Type.String(),
  severity: Type.String(),
  reasons: Type.Array(Type.String()),
  builds: Type.Number({ description: 'Builds the recommendation rests on.' }),
  savings: Type.Optional(Type.Object({ cpu_core_hours_per_week: Type.Optional(Type.Number()), memory_gib_hours_per_week: Type.Optional(Type.Number()) })),
  recommended_at: Type.String({ description: 'When the recommendation was computed (ISO-8601).' }),
  data_age_ms: Type.Number({ description: 'How old the API\'s copy of the recommendations is.' }),
});
export type AllocationBody = Static<typeof Allocation>;

export const ListQuery = Type.Object(
  {
    kind: Type.Optional(Type.Union(KINDS.map((k) => Type.Literal(k)), { default: 'jenkins.job' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);
export type ListQueryT = Static<typeof ListQuery>;

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('stale'), Type.Literal('unavailable')]),
  version: Type.String(),
  recommendations: Type.Record(Type.String(), Type.Number()),
  data_age_ms: Type.Optional(Type.Number()),
  refreshes: Type.Number(),
  refresh_failures: Type.Number(),
  last_error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() })),
});

/** `GET /api/v1/recommendations`: stored `recommendations` documents (docs/data-model.md), largest weekly savings first. */
export const RecommendationList = Type.Object({
  total: Type.Integer({ description: 'Workloads of the kind.' }),
  offset: Type.Integer(),
  data_age_ms: Type.Number(),
  items: Type.Array(Type.Object({}, { additionalProperties: true, description: 'A recommendations document as stored (docs/data-model.md).' })),
});
