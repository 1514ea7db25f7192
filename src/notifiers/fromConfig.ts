import { readFileSync } from 'node:fs';
import { receiverKind, type Config, type ReceiverConfig } from '../config/index.js';
import { ConfigError, RightsizeError, type ConfigProblem } from '../errors/index.js';
import type { Notifier, OutboundMessage } from '../model/index.js';
import { ChatNotifier, errcodeCheck, feishuCheck } from './http.js';
import { dingtalkPayload, feishuPayload, renderWebhookBody, slackPayload, templateValues, wecomPayload } from './payloads.js';
import { dingtalkSign, feishuSign } from './signing.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { EmailNotifier } from './email.js';
import { Outbox, type OutboxEvent, type OutboxPolicy } from './Outbox.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a secret given inline or through the environment variable named `<name>Env`. */
export class SecretReader {
  readonly problems: ConfigProblem[] = [];
  constructor(private readonly _env: Env) {}

  read(path: string, name: string, section: Record<string, unknown>, required: boolean): string | undefined {
    const inline = section[name];
    if (typeof inline === 'string') return inline;
    const envName = section[`${name}Env`];
    if (typeof envName === 'string') {
      const value = this._env[envName];
      if (value !== undefined && value !== '') return value;
      if (required) this.problems.push({ path: `${path}/${name}Env`, message: `environment variable ${envName} is not set` });
      return undefined;
    }
    if (required) this.problems.push({ path: `${path}/${name}`, message: `${name} (or ${name}Env) is required` });
    return undefined;
  }
}

/** The outbox policy of one receiver from its config. */
export function outboxPolicy(r: ReceiverConfig): OutboxPolicy {
  return { retry: { baseMs: r.retryBaseMs, maxMs: r.retryMaxMs, jitter: 0.5 }, maxAgeMs: r.maxAgeMs, maxQueued: r.maxQueued, timeoutMs: r.timeoutMs };
}

function emailNotifier(name: string, r: ReceiverConfig, secrets: SecretReader, env: Env): Notifier | undefined {
  const e = r.email;
  if (!e) return undefined;
  const path = `/receivers/${name}/email`;
  let auth: { user: string; pass: string } | undefined;
  if (e.user !== undefined) {
    const pass = e.password ?? env[e.passwordEnv];
    if (pass === undefined || pass === '') {
      secrets.problems.push({ path: `${path}/passwordEnv`, message: `user ${e.user} needs a password: set password or the environment variable ${e.passwordEnv}` });
      return undefined;
    }
    auth = { user: e.user, pass };
  }
  let ca: string | undefined;
  if (e.caFile !== undefined) {
    try {
      ca = readFileSync(e.caFile, 'utf8');
    } catch (err) {
      secrets.problems.push({ path: `${path}/caFile`, message: `cannot read ${e.caFile}: ${(err as Error).message}` });
      return undefined;
    }
  }
  return new EmailNotifier({
    receiver: name,
    host: e.host,
    port: e.port,
    secure: e.secure,
    requireTLS: e.requireTLS,
    ...(auth ? { auth } : {}),
    from: e.from,
    to: e.to,
    ...(ca === undefined ? {} : { ca }),
    rejectUnauthorized: e.rejectUnauthorized,
    timeoutMs: r.timeoutMs,
  });
}

export interface NotifierFactoryOptions {
  /** Clock of the chat signatures' timestamps. @defaultValue systemClock */
  readonly clock?: Clock;
}

type ChatKind = 'slack' | 'dingtalk' | 'wecom' | 'feishu' | 'webhook';

function chatNotifier(name: string, kind: ChatKind, r: ReceiverConfig, secrets: SecretReader, options: NotifierFactoryOptions): Notifier | undefined {
  const base = `/receivers/${name}/${kind}`;
  const clock = options.clock ? { clock: options.clock } : {};
  switch (kind) {
    case 'slack': {
      const url = secrets.read(base, 'url', r.slack as Record<string, unknown>, true);
      return url === undefined ? undefined : new ChatNotifier({ receiver: name, kind, ...clock, build: (m) => ({ url, body: JSON.stringify(slackPayload(m)) }) });
    }
    case 'dingtalk': {
      const d = r.dingtalk as Record<string, unknown>;
      const url = secrets.read(base, 'url', d, true);
      const secret = secrets.read(base, 'secret', d, d['secretEnv'] !== undefined);
      if (url === undefined) return undefined;
      return new ChatNotifier({ receiver: name, kind, ...clock, build: (m, nowMs) => ({ url: dingtalkUrl(url, secret, nowMs), body: JSON.stringify(dingtalkPayload(m)) }), check: errcodeCheck('dingtalk') });
    }
    case 'wecom': {
      const w = r.wecom as Record<string, unknown> & { url: string };
      const key = secrets.read(base, 'key', w, w['keyEnv'] !== undefined);
      const u = new URL(w.url);
      if (key !== undefined) u.searchParams.set('key', key);
      const url = u.href;
      return new ChatNotifier({ receiver: name, kind, ...clock, build: (m) => ({ url, body: JSON.stringify(wecomPayload(m)) }), check: errcodeCheck('wecom') });
    }
    case 'feishu': {
      const f = r.feishu as Record<string, unknown> & { msgType: 'text' | 'interactive' };
      const url = secrets.read(base, 'url', f, true);
      const secret = secrets.read(base, 'secret', f, f['secretEnv'] !== undefined);
      if (url === undefined) return undefined;
      return new ChatNotifier({
        receiver: name,
        kind,
        ...clock,
        build: (m, nowMs) => {
          const timestampSec = Math.floor(nowMs / 1000);
          const signature = secret === undefined ? undefined : { timestamp: String(timestampSec), sign: feishuSign(secret, timestampSec) };
          return { url, body: JSON.stringify(feishuPayload(m, f.msgType, signature)) };
        },
        check: feishuCheck,
      });
    }
    case 'webhook': {
      const h = r.webhook as NonNullable<ReceiverConfig['webhook']>;
      const url = secrets.read(base, 'url', h, true);
      const headers: Record<string, string> = { ...h.headers };
      for (const [header, envName] of Object.entries(h.headersEnv)) {
        const v = secrets.read(`${base}/headersEnv`, header, { [`${header}Env`]: envName }, true);
        if (v !== undefined) headers[header] = v;
      }
      try {
        renderWebhookBody(h.body, templateValues(SAMPLE_MESSAGE, name));
      } catch (err) {
        secrets.problems.push({ path: `${base}/body`, message: `does not render to JSON: ${(err as Error).message}` });
        return undefined;
      }
      if (url === undefined) return undefined;
      return new ChatNotifier({ receiver: name, kind, ...clock, build: (m) => ({ url, headers, body: renderWebhookBody(h.body, templateValues(m, name)) }) });
    }
  }
}

/** The webhook URL with DingTalk's `timestamp` and `sign` query parameters when a secret is set. */
export function dingtalkUrl(url: string, secret: string | undefined, nowMs: number): string {
  if (secret === undefined) return url;
  const u = new URL(url);
  const timestampMs = Math.floor(nowMs);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', dingtalkSign(secret, timestampMs));
  return u.href;
}

/** What a webhook template is checked with at start-up (quotes, backslashes, markup, newlines). */
const SAMPLE_MESSAGE: OutboundMessage = {
  id: 'sample "id" \\',
  kind: 'test',
  severity: 'warning',
  subject: 'sample <b>"subject"</b>',
  text: 'line 1\nline 2 & "quoted"',
  alerts: [{ ruleId: 'r', ruleName: 'rule "r"', group: '<g>', severity: 'warning', action: 'fired', value: 1.5, threshold: 1, message: 'm\n"x"', sinceMs: 0 }],
  createdAtMs: 0,
};

/**
 * One notifier per configured receiver (`receivers.<name>`), secrets resolved from `env`.
 * Every problem (an unset environment variable, an unreadable CA file) is reported at once as a
 * ConfigError with its key path; nothing is connected until a message is sent.
 */
export function notifiersFromConfig(config: Config, env: Env, options: NotifierFactoryOptions = {}): Map<string, Notifier> {
  const secrets = new SecretReader(env);
  const out = new Map<string, Notifier>();
  for (const [name, r] of Object.entries(config.receivers)) {
    const kind = receiverKind(r);
    let notifier: Notifier | undefined;
    switch (kind) {
      case 'email':
        notifier = emailNotifier(name, r, secrets, env);
        break;
      case 'slack':
      case 'dingtalk':
      case 'wecom':
      case 'feishu':
      case 'webhook':
        notifier = chatNotifier(name, kind, r, secrets, options);
        break;
      default:
        secrets.problems.push({ path: `/receivers/${name}`, message: 'needs exactly one channel' });
    }
    if (notifier) out.set(name, notifier);
  }
  if (secrets.problems.length > 0) {
    for (const n of out.values()) void n.close();
    throw new ConfigError(secrets.problems, 'receivers');
  }
  return out;
}

export interface OutboxFromConfigOptions {
  readonly onEvent?: (event: OutboxEvent) => void;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Only these receivers (e.g. the ones the rules name). @defaultValue all configured */
  readonly receivers?: readonly string[];
}

/** An Outbox over `notifiersFromConfig`, each receiver with the retry and age policy of its config. */
export function outboxFromConfig(config: Config, env: Env, options: OutboxFromConfigOptions = {}): Outbox {
  const all = notifiersFromConfig(config, env, options.clock ? { clock: options.clock } : {});
  const wanted = options.receivers ?? [...all.keys()];
  for (const name of wanted) {
    if (!all.has(name)) throw new RightsizeError('RS_ERR_NOTIFY_RECEIVER_UNKNOWN', `no receiver named '${name}' (configured: ${[...all.keys()].join(', ') || 'none'})`, { meta: { receiver: name } });
  }
  for (const [name, n] of all) if (!wanted.includes(name)) void n.close();
  const notifiers = wanted.map((name) => all.get(name) as Notifier);
  const policies = Object.fromEntries(wanted.map((name) => [name, outboxPolicy(config.receivers[name] as ReceiverConfig)]));
  return new Outbox({
    notifiers,
    policies,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
