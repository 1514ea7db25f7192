import { readFileSync } from 'node:fs';
import { receiverKind, type Config, type ReceiverConfig } from '../config/index.js';
import { ConfigError, RightsizeError, type ConfigProblem } from '../errors/index.js';
import type { Notifier } from '../model/index.js';
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

/**
 * One notifier per configured receiver (`receivers.<name>`), secrets resolved from `env`.
 * Every problem (an unset environment variable, an unreadable CA file) is reported at once as a
 * ConfigError with its key path; nothing is connected until a message is sent.
 */
export function notifiersFromConfig(config: Config, env: Env): Map<string, Notifier> {
  const secrets = new SecretReader(env);
  const out = new Map<string, Notifier>();
  for (const [name, r] of Object.entries(config.receivers)) {
    const kind = receiverKind(r);
    let notifier: Notifier | undefined;
    switch (kind) {
      case 'email':
        notifier = emailNotifier(name, r, secrets, env);
        break;
      default:
        secrets.problems.push({ path: `/receivers/${name}`, message: `${kind ?? 'no'} receivers are not supported by this build` });
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
  const all = notifiersFromConfig(config, env);
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
