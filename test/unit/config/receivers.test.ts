import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors/index.js';
import { notifiersFromConfig } from '../../../src/notifiers/index.js';

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

const email = { host: 'smtp.example.com', from: 'rightsize@example.com', to: ['ops@example.com'] };

describe('receivers config', () => {
  it('applies the defaults of a receiver and its channel', () => {
    const c = validateConfig({ receivers: { ops: { email } } });
    expect(c.receivers['ops']).toMatchObject({ timeoutMs: 15_000, retryBaseMs: 5_000, retryMaxMs: 300_000, maxAgeMs: 86_400_000, maxQueued: 1_000 });
    expect(c.receivers['ops']?.email).toMatchObject({ port: 587, secure: false, requireTLS: false, passwordEnv: 'RIGHTSIZE_SMTP_PASSWORD', rejectUnauthorized: true });
    expect(validateConfig({}).receivers).toEqual({});
  });

  it('names unknown keys with their path', () => {
    expect(problems({ receivers: { ops: { email: { ...email, hots: 'x' } } } })).toContain('/receivers/ops/email/hots: unknown key (allowed: host, port, secure, requireTLS, user, password, passwordEnv, from, to, caFile, rejectUnauthorized)');
    expect(problems({ receivers: { ops: { email, colour: 'red' } } })[0]).toMatch(/^\/receivers\/ops\/colour: unknown key/);
  });

  it('needs exactly one channel per receiver', () => {
    expect(problems({ receivers: { ops: {} } })).toEqual(['/receivers/ops: needs exactly one of email, slack, dingtalk, wecom, feishu, webhook (has none)']);
    expect(problems({ receivers: { ops: { email, slack: { url: 'https://hooks.slack.com/services/x' } } } })).toEqual([
      '/receivers/ops: needs exactly one of email, slack, dingtalk, wecom, feishu, webhook (has email, slack)',
    ]);
  });

  it('checks URLs, secrets given twice, wecom keys, retry bounds, names and template placeholders, all at once', () => {
    const list = problems({
      receivers: {
        s: { slack: {} },
        d: { dingtalk: { url: 'ftp://x', secret: 'a', secretEnv: 'B' } },
        w: { wecom: {} },
        w2: { wecom: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', key: 'k' } },
        f: { feishu: { urlEnv: 'FEISHU_URL' }, retryBaseMs: 10_000, retryMaxMs: 1_000 },
        h: { webhook: { url: 'http://127.0.0.1/x', body: '{"t":"{{title}}","a":{{json alerts}}}' } },
        'bad name': { slack: { url: 'https://hooks.slack.com/x' } },
      },
    });
    expect(list).toEqual([
      '/receivers/s/slack/url: url (or urlEnv) is required',
      '/receivers/d/dingtalk/secret: give either secret or secretEnv, not both',
      '/receivers/d/dingtalk/url: not an http(s) URL',
      '/receivers/w/wecom/key: key (or keyEnv) is required when the URL has no ?key=',
      '/receivers/w2/wecom/key: the URL carries ?key= already',
      '/receivers/f/retryBaseMs: must not exceed retryMaxMs (1000 ms)',
      '/receivers/h/webhook/body: unknown placeholder {{title}} (known: id, kind, severity, subject, text, receiver, createdAt, alerts)',
      '/receivers/bad name: a receiver name is 1-64 letters, digits, _ . - (starting with a letter or digit)',
    ]);
  });

  it('email: requireTLS is for STARTTLS, a password needs a user', () => {
    expect(problems({ receivers: { m: { email: { ...email, secure: true, requireTLS: true, password: 'p' } } } })).toEqual([
      '/receivers/m/email/password: a password needs a user',
      '/receivers/m/email/requireTLS: requireTLS (STARTTLS) applies to secure: false; with secure: true the connection is TLS already',
    ]);
  });

  it('notifiersFromConfig resolves secrets from env and names every missing one', async () => {
    const config = validateConfig({
      receivers: {
        mail: { email: { ...email, user: 'alerts' } },
        mail2: { email: { ...email, user: 'alerts', passwordEnv: 'OTHER_PASS' } },
      },
    });
    try {
      notifiersFromConfig(config, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.path)).toEqual(['/receivers/mail/email/passwordEnv', '/receivers/mail2/email/passwordEnv']);
    }
    const ok = notifiersFromConfig(config, { RIGHTSIZE_SMTP_PASSWORD: 'p1', OTHER_PASS: 'p2' });
    expect([...ok.values()].map((n) => `${n.receiver}:${n.kind}`)).toEqual(['mail:email', 'mail2:email']);
    await Promise.all([...ok.values()].map((n) => n.close()));
  });
});
