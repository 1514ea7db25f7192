import { Type, type Static, type TOptional, type TString } from '@sinclair/typebox';

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
    stateDir: Type.String({
      default: '.rightsize',
      minLength: 1,
      description:
        'Continuous `collect`: directory of the state kept across restarts (`pending-builds.json`: finished builds not yet summarized, with their Mesos request), so a stop, a crash or an Elasticsearch outage loses no build summary. Relative to the working directory.',
    }),
  },
  { ...strict, default: {} },
);

/** `rightsize serve`: the HTTP API. */
export const ApiSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', description: 'Address to listen on (0.0.0.0 for every interface).' }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'TCP port (0: any free port, printed at start).' }),
    refreshIntervalMs: Type.Integer({ default: 30_000, minimum: 1_000, description: 'How often the recommendations are reloaded from Elasticsearch, ms.' }),
    reloadInWorker: Type.Boolean({
      default: true,
      description: 'Read and pack each reload of the recommendations in a worker thread (its garbage never pauses the server); false packs on the main thread (for debugging).',
    }),
    staleAfterMs: Type.Integer({ default: 600_000, minimum: 1_000, description: 'Data older than this makes /healthz report `stale`, ms.' }),
    maxConnections: Type.Integer({ default: 1024, minimum: 1, description: 'Open connections at most. At the cap a new connection closes the oldest one that never sent a complete request, else the one idle longest; it is refused only when every connection has a request in flight (metrics rightsize_api_connections_*).' }),
    idleTimeoutMs: Type.Integer({ default: 30_000, minimum: 100, description: 'A connection without traffic for this long is closed, ms (one that never sends a complete request is closed after requestTimeoutMs already).' }),
    keepAliveTimeoutMs: Type.Integer({ default: 5_000, minimum: 100, description: 'A kept-alive connection waits this long for its next request, ms.' }),
    requestTimeoutMs: Type.Integer({ default: 10_000, minimum: 100, description: 'A request must arrive completely within this, ms (checked every second; 408 and closed beyond). Also bounds a connection that never sends a request.' }),
    maxConcurrentLists: Type.Integer({
      default: 4,
      minimum: 1,
      description: 'List pages, labels and label plans answered at once at most; more wait their turn, so job lookups are not held up behind hundreds of large pages (metrics rightsize_api_list_requests_*).',
    }),
    maxQueuedLists: Type.Integer({ default: 256, minimum: 0, description: 'List requests waiting for a place at most; beyond, 503 RS_ERR_API_BUSY with Retry-After.' }),
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

/** `rightsize dashboards import`: where Kibana is. */
export const KibanaSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ description: 'Kibana base URL, e.g. https://kibana.example.internal:5601 (`--kibana-url`, `RIGHTSIZE_KIBANA_URL`).' })),
    space: Type.String({ default: 'default', description: 'Kibana space the saved objects are imported into (`--space`).' }),
    apiKey: Type.Optional(Type.String({ description: 'Kibana API key (base64 `id:key`), sent as `Authorization: ApiKey`; prefer `RIGHTSIZE_KIBANA_API_KEY`.' })),
    username: Type.Optional(Type.String({ description: 'Basic-auth user (`RIGHTSIZE_KIBANA_USERNAME`).' })),
    password: Type.Optional(Type.String({ description: 'Basic-auth password; prefer `RIGHTSIZE_KIBANA_PASSWORD`.' })),
    timeoutMs: Type.Integer({ default: 30_000, minimum: 1_000, description: 'Time allowed for the import request, ms.' }),
  },
  { ...strict, default: {} },
);

/** A size: bytes, or a size string `parseBytes` reads (`512MiB`, `64g`; m/MB/MiB are all 1024²). */
const Size = (defaultValue: string, description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.String()], { default: defaultValue, description: `${description} Bytes or a size such as 512MiB, 4g.` });

/** A size without a default (an override's pin). */
const OptSize = (description: string) => Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String()], { description: `${description} Bytes or a size such as 512MiB, 4g.` }));

/** One glob or a list of globs. */
const Globs = (description: string) => Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], { description }));

/** One entry of `analysis.overrides`. */
export const OverrideSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$', description: 'Names the entry in the reasons (override:<name>:…); default its index in the list.' })),
    match: Type.Object(
      {
        job: Globs('Job full-name glob(s): * within one folder level, ** across folders, ?, [a-z]; e.g. release/**, *-deploy. Any one matching is enough.'),
        label: Globs("Label glob(s) matched against the job's label (its newest build's). With job, both must match."),
      },
      { ...strict, description: 'Which jobs the entry applies to (job and/or label).' },
    ),
    exclude: Type.Optional(Type.Boolean({ description: 'Leave matching jobs out of the recommendations, labels and the label plan (analyze counts them).' })),
    cpu: Type.Optional(
      Type.Object(
        {
          minCores: Type.Optional(Type.Number({ minimum: 0, description: 'Never recommend fewer cores (reason pinned_min_cpu when it binds).' })),
          maxCores: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Never recommend more cores (reason pinned_max_cpu when it binds).' })),
          percentile: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Another weighted percentile of the per-build p95 cores.' })),
          headroom: Type.Optional(Type.Number({ minimum: 0, description: 'Another multiplicative headroom.' })),
        },
        strict,
      ),
    ),
    memory: Type.Optional(
      Type.Object(
        {
          minBytes: OptSize('Never recommend less memory (reason pinned_min_memory when it binds), e.g. 4GiB for release jobs that must never OOM.'),
          maxBytes: OptSize('Never recommend more memory (reason pinned_max_memory when it binds).'),
          percentile: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Another weighted percentile of the per-build peaks.' })),
          headroom: Type.Optional(Type.Number({ minimum: 0, description: 'Another multiplicative headroom.' })),
          headroomBytes: OptSize('Another additive headroom.'),
        },
        strict,
      ),
    ),
  },
  strict,
);

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
        floorCores: Type.Number({
          default: 0.25,
          minimum: 0,
          description:
            'Never recommend fewer cores. The default 0.25 core is kept for the Jenkins remoting JVM (agent.jar) every agent runs beside the build (start-up, log streaming, the channel to the controller); lower it only for agents without one.',
        }),
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
    labels: Type.Object(
      {
        pluginVersion: Type.Union([Type.Literal('1'), Type.Literal('2')], {
          default: '1',
          description:
            "Generation of the Jenkins mesos-plugin the label plan's JCasC targets (`analyze --plan`): '1' (`slaveInfos`; Mesos gets 1.1 × (slaveMem + executorMem)) or '2' (`mesosAgentSpecTemplates`; Mesos gets mem + 32 MB). The written sizes subtract that overhead so Mesos reserves the planned size.",
        }),
      },
      { ...strict, default: {} },
    ),
    overrides: Type.Array(OverrideSchema, {
      default: [],
      description:
        'Per-job overrides (docs/recommender.md, Overrides): entries of match.job / match.label globs with exclude, cpu.{minCores,maxCores,percentile,headroom} or memory.{minBytes,maxBytes,percentile,headroom,headroomBytes}, tried in order; the first entry that matches a job applies (entries are not merged). Shown in the reasons as override:<name or index>:<action>.',
    }),
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

/**
 * The weekly report (`rightsize report weekly`, scheduled inside `rightsize serve`). The cron
 * expression and the zone are checked when the job is scheduled (node-cron syntax).
 */
export const ReportSchema = Type.Object(
  {
    schedule: Type.String({ default: '0 8 * * 1', minLength: 1, description: 'When the weekly report is made, stored and sent: a cron expression (node-cron, 5 or 6 fields) in `report.timezone`. Default Monday 08:00.' }),
    timezone: Type.String({ default: 'UTC', minLength: 1, description: 'IANA time zone of the schedule and of the ISO weeks (a build counts in the week, of this zone, in which it ended).' }),
    receivers: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Names of email receivers (`receivers.<name>`) the report is sent to with `--send` and by the schedule.' }),
    topJobs: Type.Integer({ default: 20, minimum: 1, maximum: 1000, description: 'Jobs with the largest savings listed in the report (the CSV always has every job).' }),
  },
  { ...strict, default: {} },
);

/** A secret given inline or by the name of the environment variable that holds it (preferred). */
function secretPair<N extends string>(name: N, what: string): Record<N | `${N}Env`, TOptional<TString>> {
  return {
    [name]: Type.Optional(Type.String({ minLength: 1, description: `${what} inline; prefer \`${name}Env\`.` })),
    [`${name}Env`]: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: `Name of the environment variable holding the ${what}.` })),
  } as Record<N | `${N}Env`, TOptional<TString>>;
}

const EmailReceiverSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'SMTP server host name.' }),
    port: Type.Integer({ default: 587, minimum: 1, maximum: 65535, description: 'SMTP port: 587 (submission, STARTTLS), 465 (implicit TLS, set `secure`), 25.' }),
    secure: Type.Boolean({ default: false, description: 'Implicit TLS from the first byte (port 465). False: plain connection, upgraded with STARTTLS when the server offers it.' }),
    requireTLS: Type.Boolean({ default: false, description: 'Fail unless the server upgrades with STARTTLS (with `secure: false`). Turn on whenever credentials are sent.' }),
    user: Type.Optional(Type.String({ minLength: 1, description: 'SMTP AUTH user; absent: no authentication.' })),
    password: Type.Optional(Type.String({ description: 'SMTP AUTH password inline; prefer `passwordEnv`.' })),
    passwordEnv: Type.String({
      default: 'RIGHTSIZE_SMTP_PASSWORD',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      description: 'Environment variable read for the password when `user` is set and `password` is not.',
    }),
    from: Type.String({ minLength: 3, description: 'Sender address, e.g. `rightsize <rightsize@example.com>`.' }),
    to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1, description: 'Recipient addresses.' }),
    caFile: Type.Optional(Type.String({ description: 'PEM CA file that signed the SMTP server certificate (private CA).' })),
    rejectUnauthorized: Type.Boolean({ default: true, description: 'Verify the SMTP server certificate. Turn off only for tests.' }),
  },
  strict,
);

const SlackReceiverSchema = Type.Object(
  {
    ...secretPair('url', 'incoming-webhook URL (https://hooks.slack.com/services/...)'),
  },
  strict,
);

const DingtalkReceiverSchema = Type.Object(
  {
    ...secretPair('url', 'custom robot webhook URL with its access_token (https://oapi.dingtalk.com/robot/send?access_token=...)'),
    ...secretPair('secret', 'signing secret (`SEC...`, the robot\'s 加签 security setting; without one, requests are unsigned)'),
  },
  strict,
);

const WecomReceiverSchema = Type.Object(
  {
    url: Type.String({ default: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send', description: 'Group robot webhook URL; may carry `?key=` itself.' }),
    ...secretPair('key', 'group robot key (the `key` query parameter, when the URL does not carry it)'),
  },
  strict,
);

const FeishuReceiverSchema = Type.Object(
  {
    ...secretPair('url', 'custom bot webhook URL (https://open.feishu.cn/open-apis/bot/v2/hook/... or open.larksuite.com for Lark)'),
    ...secretPair('secret', 'signing secret (the bot\'s signature verification setting; without one, requests are unsigned)'),
    msgType: Type.Union([Type.Literal('interactive'), Type.Literal('text')], { default: 'interactive', description: 'Message card (`interactive`) or plain `text`.' }),
  },
  strict,
);

const WebhookReceiverSchema = Type.Object(
  {
    ...secretPair('url', 'URL the JSON body is POSTed to'),
    headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Extra request headers.' }),
    headersEnv: Type.Record(Type.String(), Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), {
      default: {},
      description: 'Request headers whose values come from environment variables (header name → variable name), e.g. `Authorization: HOOK_AUTH`.',
    }),
    body: Type.String({
      default: '{"id":"{{id}}","kind":"{{kind}}","severity":"{{severity}}","subject":"{{subject}}","text":"{{text}}","alerts":{{json alerts}}}',
      description:
        'JSON body template. `{{name}}` inside a JSON string inserts the value JSON-escaped (and <, >, & as \\u escapes); `{{json name}}` inserts a JSON value. Names: id, kind, severity, subject, text, receiver, createdAt, alerts.',
    }),
  },
  strict,
);

/** One named receiver: exactly one channel, plus how its outbox retries and how long it keeps a message. */
export const ReceiverSchema = Type.Object(
  {
    email: Type.Optional(EmailReceiverSchema),
    slack: Type.Optional(SlackReceiverSchema),
    dingtalk: Type.Optional(DingtalkReceiverSchema),
    wecom: Type.Optional(WecomReceiverSchema),
    feishu: Type.Optional(FeishuReceiverSchema),
    webhook: Type.Optional(WebhookReceiverSchema),
    timeoutMs: Type.Integer({ default: 15_000, minimum: 100, description: 'Timeout of one delivery attempt (SMTP session or HTTP request), ms.' }),
    retryBaseMs: Type.Integer({ default: 5_000, minimum: 10, description: 'First wait before retrying a failed delivery, doubling each time (jittered), ms.' }),
    retryMaxMs: Type.Integer({ default: 300_000, minimum: 10, description: 'Longest wait between retries, ms.' }),
    maxAgeMs: Type.Integer({
      default: 86_400_000,
      minimum: 1_000,
      description: 'A message not delivered this long after it was created is dropped (recorded and counted), ms.',
    }),
    maxQueued: Type.Integer({ default: 1_000, minimum: 1, description: 'Messages waiting per receiver; beyond it the oldest is dropped (recorded and counted).' }),
  },
  strict,
);

/** `receivers.<name>`: where alerts and reports are sent. */
export const ReceiversSchema = Type.Record(Type.String(), ReceiverSchema, {
  default: {},
  description: 'Named receivers (`receivers.<name>`), each with exactly one of email, slack, dingtalk, wecom, feishu, webhook.',
});

/** A duration: ms, or a string `parseDurationMs` reads (`90s`, `10m`, `4h`, `7d`). */
const Duration = (description: string, defaultValue?: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.String()], {
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    description: `${description} ms, or a duration such as 90s, 10m, 4h.`,
  });

/**
 * One alert rule (docs/alerts.md). `kind` decides which other keys apply; a key that does not
 * belong to the kind, a missing required one, a bad duration, comparator/threshold pair, cron
 * expression or template placeholder is reported with its path when the config is loaded.
 */
export const AlertRuleSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'Stable id (state, silences and events are keyed by it).' }),
    name: Type.Optional(Type.String({ description: 'Human name; default: the id.' })),
    kind: Type.Union(
      [Type.Literal('threshold'), Type.Literal('nodata'), Type.Literal('job-oom'), Type.Literal('job-waste'), Type.Literal('recommendation-change')],
      { description: 'threshold: an aggregation of a field over a window; nodata: a dataset stopped reporting; job-oom, job-waste, recommendation-change: per job.' },
    ),
    dataset: Type.Optional(
      Type.String({ description: 'threshold/nodata: `event.dataset` (mesos.master, mesos.agent, mesos.role, jenkins.queue, jenkins.queue.label, docker.container, mesos.executor) or jenkins.build (the builds documents).' }),
    ),
    field: Type.Optional(Type.String({ description: 'threshold: the numeric field aggregated, e.g. mesos.cpus.percent.' })),
    aggregation: Type.Optional(
      Type.Union([Type.Literal('avg'), Type.Literal('max'), Type.Literal('min'), Type.Literal('sum'), Type.Literal('count'), Type.Literal('p95')], {
        description: 'threshold: how the window is reduced to one value per group (count counts documents carrying the field).',
      }),
    ),
    comparator: Type.Optional(
      Type.Union([Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<='), Type.Literal('between'), Type.Literal('outside')], {
        description: 'threshold, job-*, recommendation-change: value OP threshold. between/outside take [low, high] (inclusive). Default >.',
      }),
    ),
    threshold: Type.Optional(
      Type.Union([Type.Number(), Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })], {
        description: 'A number, or [low, high] for between/outside. job-oom: OOM-killed builds (default 1, with >=); job-waste: core-hours per week; recommendation-change: a fraction (0.5 = 50 %).',
      }),
    ),
    window: Type.Optional(Duration('The time window the value is computed over (threshold default 2m, job-oom 1d, job-waste 7d, recommendation-change 7d).')),
    groupBy: Type.Optional(Type.String({ description: 'threshold/nodata: a keyword field; one alert per value (e.g. jenkins.label, mesos.agent.hostname). job-* rules are per jenkins.job.name.' })),
    filter: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { description: 'Extra term filters, field → value, e.g. {"mesos.master.elected": true}.' }),
    ),
    after: Type.Optional(Duration('nodata: fires when the newest document is older than this.')),
    lookback: Type.Optional(Duration('nodata with groupBy: groups seen within this span are watched (a group silent for longer is forgotten); default 1d.')),
    interval: Type.Optional(Duration('Evaluation period (default alerts.defaultInterval). Exclusive with cron.')),
    cron: Type.Optional(Type.String({ description: 'Evaluation times as a cron expression (node-cron, 5 or 6 fields), in `timezone`. Exclusive with interval.' })),
    timezone: Type.Optional(Type.String({ description: 'IANA zone of `cron` (default UTC).' })),
    for: Duration('How long the condition must hold before the alert fires (0: at the first evaluation).', '0'),
    severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')], { default: 'warning' }),
    labels: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Free labels copied into messages ({{labels.name}}).' }),
    receivers: Type.Optional(Type.Array(Type.String(), { description: 'Receiver names (`receivers:` section); default alerts.defaultReceivers.' })),
    repeatInterval: Duration('A still-firing alert is notified again after this long.', '4h'),
    repeatBackoff: Type.Optional(
      Type.Object(
        {
          factor: Type.Number({ minimum: 1, default: 2, description: 'Each repeat waits factor × the previous wait.' }),
          max: Duration('Longest wait between repeats.', '1d'),
        },
        { ...strict, description: 'Exponential repeats: repeatInterval, × factor, × factor², … capped at max.' },
      ),
    ),
    sendResolved: Type.Boolean({ default: true, description: 'Send a resolve notice when a notified alert ends.' }),
    explain: Type.Optional(
      Type.Union([Type.Literal('cpu'), Type.Literal('memory')], {
        description: 'Add whether the capacity is really used or only reserved, and the jobs whose recommendations would free the most ({{explanation}}).',
      }),
    ),
    message: Type.Optional(
      Type.String({ description: 'Message template; placeholders {{rule}}, {{name}}, {{group}}, {{value}}, {{threshold}}, {{comparator}}, {{severity}}, {{status}}, {{url}}, {{explanation}}, {{labels.<key>}}.' }),
    ),
  },
  strict,
);

/** The alert engine (`rightsize alerts run`, and inside `rightsize serve`). */
export const AlertsSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the alert engine inside `rightsize serve` (`alerts run` always runs it).' }),
    rules: Type.Optional(Type.Array(AlertRuleSchema, { description: 'The rules. Absent: the default rules of docs/alerts.md. An empty list: no rules.' })),
    defaultInterval: Duration('Evaluation period of rules without interval or cron.', '1m'),
    defaultReceivers: Type.Array(Type.String(), { default: [], description: 'Receivers of rules that name none.' }),
    uiUrl: Type.Optional(Type.String({ description: 'Base URL of the web UI, for the {{url}} link in messages (e.g. https://rightsize.example.com).' })),
    maxGroups: Type.Integer({ default: 500, minimum: 1, maximum: 10_000, description: 'At most this many groups per rule and evaluation (terms size).' }),
    flapping: Type.Object(
      {
        maxChanges: Type.Integer({ default: 4, minimum: 1, description: 'An alert that fired or resolved more than this many times within `window` is flapping.' }),
        window: Duration('The span flapping is counted over.', '1h'),
        stableFor: Duration('A flapping alert is held (not notified) until its state did not change for this long.', '30m'),
      },
      { ...strict, default: {} },
    ),
    delivery: Type.Object(
      {
        maxAge: Duration("Notifications kept undelivered in the alert states (their outbox) are re-queued when the engine loads them (start, restart, taking over the lease) if at most this old; older ones are not re-sent. While the process runs, a failed delivery is retried by its receiver's queue (receivers.<name>.retryBaseMs/retryMaxMs) until receivers.<name>.maxAgeMs, then recorded as dropped.", '1d'),
      },
      { ...strict, default: {} },
    ),
    lease: Type.Object(
      {
        ttl: Duration('Replicas: the evaluating one holds a lease document this long, renewed every round; another takes over when it expires.', '90s'),
      },
      { ...strict, default: {} },
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
    kibana: KibanaSchema,
    report: ReportSchema,
    alerts: AlertsSchema,
    receivers: ReceiversSchema,
    log: Type.Object(
      { level: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info' }) },
      { ...strict, default: {} },
    ),
  },
  { ...strict, default: {} },
);

/** The validated, frozen configuration. */
export type Config = Static<typeof ConfigSchema>;
/** `config.report`. */
export type ReportConfig = Static<typeof ReportSchema>;
/** `config.analysis`. */
export type AnalysisConfig = Static<typeof AnalysisSchema>;
/** `config.receivers`. */
export type ReceiversConfig = Static<typeof ReceiversSchema>;
/** One `config.receivers.<name>`. */
export type ReceiverConfig = Static<typeof ReceiverSchema>;
/** `config.alerts`. */
export type AlertsConfig = Static<typeof AlertsSchema>;
/** One entry of `config.alerts.rules`. */
export type AlertRuleConfig = Static<typeof AlertRuleSchema>;
