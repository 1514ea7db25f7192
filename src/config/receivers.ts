import type { ConfigProblem } from '../errors/index.js';
import type { ReceiverConfig, ReceiversConfig } from './schema.js';

/** The channels a receiver can have; exactly one per receiver. */
export const RECEIVER_KINDS = ['email', 'slack', 'dingtalk', 'wecom', 'feishu', 'webhook'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/** Values a generic webhook body template may name: `{{name}}` (string) or `{{json name}}` (any JSON value). */
export const WEBHOOK_TEMPLATE_FIELDS = ['id', 'kind', 'severity', 'subject', 'text', 'receiver', 'createdAt', 'alerts'] as const;

/** `{{name}}` or `{{json name}}`, spaces allowed inside the braces. */
export const TEMPLATE_PLACEHOLDER = /\{\{\s*(json\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

const RECEIVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The one channel a receiver configures, or undefined when it has none or several. */
export function receiverKind(receiver: ReceiverConfig): ReceiverKind | undefined {
  const kinds = RECEIVER_KINDS.filter((k) => receiver[k] !== undefined);
  return kinds.length === 1 ? kinds[0] : undefined;
}

function httpUrlProblem(path: string, url: string | undefined): ConfigProblem[] {
  if (url === undefined) return [];
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return [];
  } catch {
    // reported below
  }
  return [{ path, message: 'not an http(s) URL' }];
}

/** A value given inline and by env var, or (when required) by neither. */
function pairProblems(base: string, name: string, c: Record<string, unknown>, required: boolean): ConfigProblem[] {
  const inline = c[name] !== undefined;
  const env = c[`${name}Env`] !== undefined;
  if (inline && env) return [{ path: `${base}/${name}`, message: `give either ${name} or ${name}Env, not both` }];
  if (required && !inline && !env) return [{ path: `${base}/${name}`, message: `${name} (or ${name}Env) is required` }];
  return [];
}

/**
 * Problems of `receivers` beyond the schema: names, exactly one channel each, URLs, secrets
 * given twice, retry bounds, the placeholders of webhook body templates.
 */
export function receiversProblems(receivers: ReceiversConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, r] of Object.entries(receivers)) {
    const base = `/receivers/${name}`;
    if (!RECEIVER_NAME.test(name)) problems.push({ path: base, message: 'a receiver name is 1-64 letters, digits, _ . - (starting with a letter or digit)' });
    const kinds = RECEIVER_KINDS.filter((k) => r[k] !== undefined);
    if (kinds.length !== 1) {
      problems.push({ path: base, message: `needs exactly one of ${RECEIVER_KINDS.join(', ')} (has ${kinds.length === 0 ? 'none' : kinds.join(', ')})` });
      continue;
    }
    if (r.retryBaseMs > r.retryMaxMs) problems.push({ path: `${base}/retryBaseMs`, message: `must not exceed retryMaxMs (${r.retryMaxMs} ms)` });
    if (r.email) {
      const e = r.email;
      if (e.password !== undefined && e.user === undefined) problems.push({ path: `${base}/email/password`, message: 'a password needs a user' });
      if (e.secure && e.requireTLS) problems.push({ path: `${base}/email/requireTLS`, message: 'requireTLS (STARTTLS) applies to secure: false; with secure: true the connection is TLS already' });
    }
    if (r.slack) problems.push(...pairProblems(`${base}/slack`, 'url', r.slack, true), ...httpUrlProblem(`${base}/slack/url`, r.slack.url));
    if (r.dingtalk) {
      problems.push(...pairProblems(`${base}/dingtalk`, 'url', r.dingtalk, true), ...pairProblems(`${base}/dingtalk`, 'secret', r.dingtalk, false));
      problems.push(...httpUrlProblem(`${base}/dingtalk/url`, r.dingtalk.url));
    }
    if (r.feishu) {
      problems.push(...pairProblems(`${base}/feishu`, 'url', r.feishu, true), ...pairProblems(`${base}/feishu`, 'secret', r.feishu, false));
      problems.push(...httpUrlProblem(`${base}/feishu/url`, r.feishu.url));
    }
    if (r.wecom) {
      const w = r.wecom;
      problems.push(...pairProblems(`${base}/wecom`, 'key', w, false), ...httpUrlProblem(`${base}/wecom/url`, w.url));
      let urlHasKey = false;
      try {
        urlHasKey = new URL(w.url).searchParams.has('key');
      } catch {
        // the URL problem is reported above
      }
      if (!urlHasKey && w.key === undefined && w.keyEnv === undefined) problems.push({ path: `${base}/wecom/key`, message: 'key (or keyEnv) is required when the URL has no ?key=' });
      if (urlHasKey && (w.key !== undefined || w.keyEnv !== undefined)) problems.push({ path: `${base}/wecom/key`, message: 'the URL carries ?key= already' });
    }
    if (r.webhook) {
      const h = r.webhook;
      problems.push(...pairProblems(`${base}/webhook`, 'url', h, true), ...httpUrlProblem(`${base}/webhook/url`, h.url));
      for (const m of h.body.matchAll(TEMPLATE_PLACEHOLDER)) {
        const field = m[2] as string;
        if (!(WEBHOOK_TEMPLATE_FIELDS as readonly string[]).includes(field)) {
          problems.push({ path: `${base}/webhook/body`, message: `unknown placeholder {{${m[1] ?? ''}${field}}} (known: ${WEBHOOK_TEMPLATE_FIELDS.join(', ')})` });
        }
      }
      for (const header of Object.keys(h.headers)) {
        if (Object.keys(h.headersEnv).some((k) => k.toLowerCase() === header.toLowerCase())) {
          problems.push({ path: `${base}/webhook/headers/${header}`, message: 'also given in headersEnv' });
        }
      }
    }
  }
  return problems;
}
