import { Type, type Static } from '@sinclair/typebox';

/**
 * The one configuration schema: defaults live here, unknown keys are errors
 * (`additionalProperties: false`), and every option documents its unit and rationale.
 * docs/configuration.md is the reader's version of this file.
 */
const strict = { additionalProperties: false } as const;

const TlsSchema = Type.Object(
  {
    caFile: Type.Optional(Type.String({ description: 'PEM file of the CA that signed the server certificate.' })),
    certFile: Type.Optional(Type.String({ description: 'PEM client certificate (mutual TLS).' })),
    keyFile: Type.Optional(Type.String({ description: 'PEM client key (mutual TLS).' })),
    rejectUnauthorized: Type.Boolean({ default: true, description: 'Verify the server certificate. Turn off only for tests.' }),
  },
  strict,
);

export const ElasticsearchSchema = Type.Object(
  {
    url: Type.String({ default: 'http://127.0.0.1:9200', description: 'Elasticsearch URL (env RIGHTSIZE_ES_URL).' }),
    apiKey: Type.Optional(Type.String({ description: 'API key, base64 `id:key` (env RIGHTSIZE_ES_API_KEY). Prefer the env variable.' })),
    username: Type.Optional(Type.String({ description: 'Basic-auth user (env RIGHTSIZE_ES_USERNAME).' })),
    password: Type.Optional(Type.String({ description: 'Basic-auth password (env RIGHTSIZE_ES_PASSWORD).' })),
    caFile: Type.Optional(Type.String({ description: 'PEM CA file for an https URL.' })),
    indexPrefix: Type.String({ default: 'rightsize', pattern: '^[a-z0-9][a-z0-9_-]*$', description: 'Prefix of every index and template.' }),
    shards: Type.Integer({ default: 1, minimum: 1, maximum: 64, description: 'Primary shards per daily index.' }),
    replicas: Type.Integer({ default: 1, minimum: 0, maximum: 8, description: 'Replicas per index (0 on a single node).' }),
    requestTimeoutMs: Type.Integer({ default: 30_000, minimum: 100, description: 'Per-request timeout, ms.' }),
    retentionDays: Type.Object(
      {
        containers: Type.Integer({ default: 14, minimum: 1, description: 'Days of raw per-container samples kept.' }),
        cluster: Type.Integer({ default: 30, minimum: 1, description: 'Days of cluster/agent/role documents kept.' }),
        queue: Type.Integer({ default: 30, minimum: 1, description: 'Days of queue documents kept.' }),
        builds: Type.Integer({ default: 400, minimum: 1, description: 'Days of per-build summaries kept (monthly indices).' }),
      },
      { ...strict, default: {} },
    ),
    bulk: Type.Object(
      {
        flushBytes: Type.Integer({ default: 5_000_000, minimum: 1024, description: 'Flush a bulk request at this many bytes.' }),
        flushIntervalMs: Type.Integer({ default: 2_000, minimum: 10, description: 'Flush at least this often, ms.' }),
        concurrency: Type.Integer({ default: 2, minimum: 1, maximum: 32, description: 'Bulk requests in flight.' }),
        retries: Type.Integer({
          default: 5,
          minimum: 0,
          maximum: 50,
          description:
            'Item-level 5xx failures of one document tolerated before it is dropped as permanent (counted, logged). Failed requests and 429s are retried with backoff while the buffer has room.',
        }),
        retryBackoffMs: Type.Integer({ default: 500, minimum: 1, description: 'First backoff between retries, doubling each time (capped at 30 s).' }),
        bufferMaxDocs: Type.Integer({
          default: 200_000,
          minimum: 100,
          description: 'Documents held in memory while Elasticsearch is away; beyond it the oldest are dropped, counted and logged.',
        }),
      },
      { ...strict, default: {} },
    ),
  },
  { ...strict, default: {} },
);

export const DockerSchema = Type.Object(
  {
    hosts: Type.Array(Type.String(), {
      default: [],
      description: 'Docker Engine endpoints: unix:///path or tcp://host:port or https://host:port. Empty: DOCKER_HOST, else the local socket.',
    }),
    tls: Type.Optional(TlsSchema),
    intervalMs: Type.Integer({ default: 10_000, minimum: 200, description: 'Poll period per engine, ms.' }),
    timeoutMs: Type.Integer({ default: 5_000, minimum: 100, description: 'Timeout of one stats/inspect call, ms.' }),
    concurrency: Type.Integer({
      default: 128,
      minimum: 1,
      maximum: 512,
      description: 'Stats calls in flight per engine. One-shot stats wait for the daemon’s next 1 s tick, so a round takes about containers ÷ concurrency seconds.',
    }),
  },
  { ...strict, default: {} },
);

export const MesosSchema = Type.Object(
  {
    cluster: Type.Optional(Type.String({ description: 'Cluster name written to documents.' })),
    masters: Type.Array(Type.String(), { default: [], description: 'Mesos master URLs; the leader is found on every poll.' }),
    agents: Type.Array(Type.String(), { default: [], description: 'Mesos agent URLs; empty: discovered from the leader state.' }),
    dockerHostTemplate: Type.Optional(
      Type.String({ description: 'Docker endpoint per discovered agent, e.g. tcp://{hostname}:2375.' }),
    ),
    intervalMs: Type.Integer({ default: 10_000, minimum: 200, description: 'Poll period, ms.' }),
    timeoutMs: Type.Integer({ default: 5_000, minimum: 100, description: 'Request timeout, ms.' }),
  },
  { ...strict, default: {} },
);

export const JenkinsSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ description: 'Jenkins base URL.' })),
    username: Type.Optional(Type.String({ description: 'Jenkins user (env RIGHTSIZE_JENKINS_USER).' })),
    tokenFile: Type.Optional(Type.String({ description: 'File holding the API token; or env RIGHTSIZE_JENKINS_TOKEN.' })),
    token: Type.Optional(Type.String({ description: 'API token; prefer the env variable or tokenFile.' })),
    intervalMs: Type.Integer({ default: 10_000, minimum: 200, description: 'Queue/executor poll period, ms.' }),
    timeoutMs: Type.Integer({ default: 10_000, minimum: 100, description: 'Request timeout, ms.' }),
  },
  { ...strict, default: {} },
);

export const CollectSchema = Type.Object(
  {
    sampleMs: Type.Integer({ default: 1_000, minimum: 50, description: '`collect --once`: gap between the two readings, ms.' }),
    maxResponseBytes: Type.Integer({ default: 50_000_000, minimum: 1024, description: 'Responses larger than this are rejected.' }),
    backoffMaxMs: Type.Integer({ default: 300_000, minimum: 1_000, description: 'Longest wait before retrying a failing target, ms.' }),
    metricsPort: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 65535, description: 'Continuous `collect`: serve GET /metrics (Prometheus text) and /healthz on this port (0: any free port, logged). Absent: off.' }),
    ),
    metricsHost: Type.String({ default: '127.0.0.1', description: 'Address the metrics endpoint listens on.' }),
  },
  { ...strict, default: {} },
);

/** `rightsize serve`: the HTTP API. */
export const ApiSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', description: 'Address to listen on (0.0.0.0 for every interface).' }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'TCP port (0: any free port, printed at start).' }),
    refreshIntervalMs: Type.Integer({ default: 30_000, minimum: 1_000, description: 'How often the recommendations are reloaded from Elasticsearch, ms.' }),
    staleAfterMs: Type.Integer({ default: 600_000, minimum: 1_000, description: 'Data older than this makes /healthz report `stale`, ms.' }),
    maxConnections: Type.Integer({ default: 1024, minimum: 1, description: 'Open connections at most; further ones are closed as they arrive.' }),
    idleTimeoutMs: Type.Integer({ default: 30_000, minimum: 100, description: 'A connection without traffic for this long is closed, ms.' }),
    keepAliveTimeoutMs: Type.Integer({ default: 5_000, minimum: 100, description: 'A kept-alive connection waits this long for its next request, ms.' }),
    requestTimeoutMs: Type.Integer({ default: 10_000, minimum: 100, description: 'A request must arrive completely within this, ms.' }),
    bodyLimitBytes: Type.Integer({ default: 65_536, minimum: 1024, description: 'Largest request body, bytes (413 beyond).' }),
    readTokens: Type.Array(Type.String({ minLength: 16 }), {
      default: [],
      description: 'Bearer tokens that may read. Empty: reads need no token. Also env RIGHTSIZE_API_READ_TOKEN. Write tokens may read too.',
    }),
    writeTokens: Type.Array(Type.String({ minLength: 16 }), {
      default: [],
      description: 'Bearer tokens that may write (silences). Writes always need one. Also env RIGHTSIZE_API_WRITE_TOKEN.',
    }),
    corsOrigins: Type.Array(Type.String(), { default: [], description: 'Origins allowed by CORS (e.g. https://ci.example.com). Empty: no CORS headers.' }),
    dataFreshAfterMs: Type.Integer({
      default: 3_600_000,
      minimum: 1_000,
      description: '/readyz fails when the newest recommendation is older than this, ms (analyze runs less often than this).',
    }),
  },
  { ...strict, default: {} },
);

/** A size: bytes, or a size string `parseBytes` reads (`512MiB`, `64g`; m/MB/MiB are all 1024²). */
const Size = (defaultValue: string, description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.String()], { default: defaultValue, description: `${description} Bytes or a size such as 512MiB, 4g.` });

/**
 * The recommender's tunables (`rightsize analyze`). Defaults equal `DEFAULT_POLICY`
 * (src/analysis/recommend/policy.ts); a unit test keeps the two equal. CLI flags
 * (`--window`, `--split-branch-kind`, `--plan k`) override these.
 */
export const AnalysisSchema = Type.Object(
  {
    windowDays: Type.Number({ default: 30, minimum: 1, description: 'Only builds that ended within this many days before now count (`--window` overrides).' }),
    maxBuilds: Type.Integer({
      default: 100,
      minimum: 1,
      description: 'At most this many newest builds per job count. On Elasticsearch at most 100 are read per job (index.max_inner_result_window).',
    }),
    minBuilds: Type.Integer({ default: 5, minimum: 1, description: 'No recommendation below this many usable builds.' }),
    decreaseEvidence: Type.Object(
      {
        fraction: Type.Number({
          default: 0.25,
          minimum: 0,
          maximum: 1,
          description: 'A decrease larger than this fraction of the current request needs the evidence below.',
        }),
        minBuilds: Type.Integer({ default: 10, minimum: 1, description: '... at least this many usable builds ...' }),
        minDays: Type.Number({ default: 2, minimum: 0, description: '... spanning at least this many days.' }),
      },
      { ...strict, default: {} },
    ),
    cpu: Type.Object(
      {
        percentile: Type.Number({ default: 0.95, exclusiveMinimum: 0, maximum: 1, description: 'Weighted percentile (0 < p ≤ 1) of the per-build p95 cores.' }),
        headroom: Type.Number({ default: 0.15, minimum: 0, description: 'Multiplicative headroom: recommendation = percentile × (1 + headroom).' }),
        floorCores: Type.Number({ default: 0.25, minimum: 0, description: 'Never recommend fewer cores.' }),
        capCores: Type.Number({ default: 16, exclusiveMinimum: 0, description: 'Never recommend more cores (the largest agent).' }),
      },
      { ...strict, default: {} },
    ),
    memory: Type.Object(
      {
        percentile: Type.Number({ default: 0.99, exclusiveMinimum: 0, maximum: 1, description: 'Weighted percentile (0 < p ≤ 1) of the per-build peak memory.' }),
        headroom: Type.Number({ default: 0.2, minimum: 0, description: 'Multiplicative headroom: max(Q × (1 + headroom), Q + headroomBytes).' }),
        headroomBytes: Size('256MiB', 'Additive headroom.'),
        floorBytes: Size('512MiB', 'Never recommend less memory (the Jenkins remoting JVM needs about this much).'),
        capBytes: Size('64GiB', 'Never recommend more memory (the largest agent).'),
      },
      { ...strict, default: {} },
    ),
    splitBranchKind: Type.Boolean({ default: false, description: 'Size the pull-request branches of a multibranch job (…/PR-n) as one workload …/PR-* (`--split-branch-kind` turns it on).' }),
    labelPlan: Type.Object(
      { maxSizes: Type.Integer({ default: 4, minimum: 1, maximum: 64, description: 'Label sizes `analyze --plan` plans (`--plan k` overrides).' }) },
      { ...strict, default: {} },
    ),
    prices: Type.Optional(
      Type.Object(
        {
          perCoreHour: Type.Number({ minimum: 0, description: 'Price of one reserved core for one hour.' }),
          perGibHour: Type.Number({ minimum: 0, description: 'Price of one reserved GiB of memory for one hour.' }),
          currency: Type.Optional(Type.String({ minLength: 1, description: 'Currency code written beside the amounts, e.g. EUR.' })),
        },
        { ...strict, description: 'Optional prices; with them waste rows carry cost. Absent: no money anywhere.' },
      ),
    ),
  },
  { ...strict, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    elasticsearch: ElasticsearchSchema,
    docker: DockerSchema,
    mesos: MesosSchema,
    jenkins: JenkinsSchema,
    collect: CollectSchema,
    analysis: AnalysisSchema,
    api: ApiSchema,
    log: Type.Object(
      { level: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info' }) },
      { ...strict, default: {} },
    ),
  },
  { ...strict, default: {} },
);

/** The validated, frozen configuration. */
export type Config = Static<typeof ConfigSchema>;
/** `config.analysis`. */
export type AnalysisConfig = Static<typeof AnalysisSchema>;
