import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.js';
import type { OutboundMessage } from '../../../src/model/index.js';
import { notifiersFromConfig } from '../../../src/notifiers/index.js';

const HOSTILE = '<script>alert(1)</script>';
const HOUR_MS = 3_600_000;

function message(id: string): OutboundMessage {
  const now = Date.now();
  return {
    id,
    kind: 'alert',
    severity: 'critical',
    subject: `queue-wait-p95: firing for ${HOSTILE}`,
    text: `label ${HOSTILE} waits 12 min`,
    alerts: [{ ruleId: 'queue-wait-p95', ruleName: 'p95 queue wait', group: HOSTILE, severity: 'critical', action: 'fired', value: 734_000, threshold: 600_000, message: `builds of ${HOSTILE} wait`, url: 'http://rightsize.example/ui/', sinceMs: now - 300_000 }],
    createdAtMs: now,
  };
}

interface Received {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly raw: string;
  readonly json: Record<string, unknown>;
}

/** A real HTTP receiver on 127.0.0.1:0 that answers like the service (`answer` may check the request). */
async function receiver(answer: (r: Received) => { status: number; body: string }): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // shape checks below fail on it
      }
      const r: Received = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, raw, json };
      got.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'content-type': a.body.startsWith('{') ? 'application/json' : 'text/plain' }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function expectNoRawMarkup(r: Received): void {
  expect(r.raw).not.toContain(HOSTILE);
  expect(r.raw).not.toMatch(/<script/i);
}

describe('chat notifiers against real HTTP receivers', () => {
  it('DingTalk: signed URL (timestamp ms, sign) verified by the receiver, markdown body, errcode answer', async () => {
    const secret = 'SEC-test-secret';
    const svc = await receiver((r) => {
      const ts = Number(r.url.searchParams.get('timestamp'));
      const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
      const ok = r.method === 'POST' && r.url.pathname === '/robot/send' && r.url.searchParams.get('access_token') === 'tok' && Math.abs(Date.now() - ts) < HOUR_MS && r.url.searchParams.get('sign') === expected;
      return { status: 200, body: ok ? '{"errcode":0,"errmsg":"ok"}' : '{"errcode":310000,"errmsg":"sign not match"}' };
    });
    servers.push(svc.server);
    const good = notifiersFromConfig(validateConfig({ receivers: { d: { dingtalk: { url: `${svc.url}/robot/send?access_token=tok`, secretEnv: 'DING_SECRET' } } } }), { DING_SECRET: secret });
    await good.get('d')!.send(message('d1'), new AbortController().signal);
    const r = svc.got[0]!;
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json['msgtype']).toBe('markdown');
    const md = r.json['markdown'] as { title: unknown; text: unknown };
    expect(typeof md.title).toBe('string');
    expect(typeof md.text).toBe('string');
    expectNoRawMarkup(r);
    // a wrong secret: HTTP 200 with errcode 310000 is a failed delivery
    const bad = notifiersFromConfig(validateConfig({ receivers: { d: { dingtalk: { url: `${svc.url}/robot/send?access_token=tok`, secret: 'wrong' } } } }), {});
    await expect(bad.get('d')!.send(message('d2'), new AbortController().signal)).rejects.toMatchObject({ code: 'RS_ERR_NOTIFY_REJECTED', meta: { serviceCode: 310000 } });
  });

  it('Feishu: timestamp (s) and sign in the body verified by the receiver, interactive card, code answer', async () => {
    const secret = 'feishu-secret';
    const svc = await receiver((r) => {
      const ts = r.json['timestamp'];
      const expected = typeof ts === 'string' ? createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64') : '';
      const ok = typeof ts === 'string' && /^\d{10}$/.test(ts) && Math.abs(Date.now() / 1000 - Number(ts)) < 3600 && r.json['sign'] === expected;
      return { status: 200, body: ok ? '{"code":0,"msg":"success","data":{}}' : '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}' };
    });
    servers.push(svc.server);
    const n = notifiersFromConfig(validateConfig({ receivers: { f: { feishu: { url: `${svc.url}/open-apis/bot/v2/hook/abc`, secret } } } }), {});
    await n.get('f')!.send(message('f1'), new AbortController().signal);
    const r = svc.got[0]!;
    expect(r.url.pathname).toBe('/open-apis/bot/v2/hook/abc');
    expect(r.json['msg_type']).toBe('interactive');
    const card = r.json['card'] as { header: { title: { tag: string; content: string } }; elements: Array<{ tag: string; text: { tag: string; content: string } }> };
    expect(card.header.title.tag).toBe('plain_text');
    expect(card.elements[0]!.text.tag).toBe('lark_md');
    expectNoRawMarkup(r);
    const bad = notifiersFromConfig(validateConfig({ receivers: { f: { feishu: { url: `${svc.url}/open-apis/bot/v2/hook/abc`, secret: 'other', msgType: 'text' } } } }), {});
    await expect(bad.get('f')!.send(message('f2'), new AbortController().signal)).rejects.toMatchObject({ code: 'RS_ERR_NOTIFY_REJECTED', meta: { serviceCode: 19021 } });
    expect(svc.got[1]!.json['msg_type']).toBe('text');
    expect(typeof (svc.got[1]!.json['content'] as { text: unknown }).text).toBe('string');
    expectNoRawMarkup(svc.got[1]!);
  });

  it('WeCom: key from env in the query, markdown content within 4096 bytes, errcode answer', async () => {
    const svc = await receiver((r) => {
      const content = (r.json['markdown'] as { content?: unknown } | undefined)?.content;
      const ok = r.url.pathname === '/cgi-bin/webhook/send' && r.url.searchParams.get('key') === 'wk' && r.json['msgtype'] === 'markdown' && typeof content === 'string' && Buffer.byteLength(content) <= 4096;
      return { status: 200, body: ok ? '{"errcode":0,"errmsg":"ok"}' : '{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}' };
    });
    servers.push(svc.server);
    const n = notifiersFromConfig(validateConfig({ receivers: { w: { wecom: { url: `${svc.url}/cgi-bin/webhook/send`, keyEnv: 'WECOM_KEY' } } } }), { WECOM_KEY: 'wk' });
    const big = message('w1');
    await n.get('w')!.send({ ...big, alerts: Array.from({ length: 100 }, () => big.alerts![0]!) }, new AbortController().signal);
    expect(svc.got).toHaveLength(1);
    expectNoRawMarkup(svc.got[0]!);
  });

  it('Slack: JSON text and blocks; a 404 no_service answer is RS_ERR_NOTIFY_HTTP_STATUS', async () => {
    const svc = await receiver((r) => (r.url.pathname === '/services/T000/B000/XXXX' && typeof r.json['text'] === 'string' && Array.isArray(r.json['blocks']) ? { status: 200, body: 'ok' } : { status: 404, body: 'no_service' }));
    servers.push(svc.server);
    const ok = notifiersFromConfig(validateConfig({ receivers: { s: { slack: { url: `${svc.url}/services/T000/B000/XXXX` } } } }), {});
    await ok.get('s')!.send(message('s1'), new AbortController().signal);
    expectNoRawMarkup(svc.got[0]!);
    const gone = notifiersFromConfig(validateConfig({ receivers: { s: { slack: { url: `${svc.url}/services/T000/B000/GONE` } } } }), {});
    await expect(gone.get('s')!.send(message('s2'), new AbortController().signal)).rejects.toMatchObject({ code: 'RS_ERR_NOTIFY_HTTP_STATUS', meta: { status: 404 } });
  });

  it('generic webhook: templated JSON body, a header from env, values escaped for JSON', async () => {
    const svc = await receiver((r) => (r.headers['authorization'] === 'Bearer t0k' && r.headers['x-team'] === 'ci' ? { status: 202, body: '' } : { status: 401, body: 'unauthorized' }));
    servers.push(svc.server);
    const n = notifiersFromConfig(
      validateConfig({ receivers: { h: { webhook: { url: `${svc.url}/hook`, headers: { 'X-Team': 'ci' }, headersEnv: { Authorization: 'HOOK_AUTH' }, body: '{"title":"{{subject}}","n":{{json alerts}},"at":"{{createdAt}}"}' } } } }),
      { HOOK_AUTH: 'Bearer t0k' },
    );
    const m = message('h1');
    await n.get('h')!.send(m, new AbortController().signal);
    const r = svc.got[0]!;
    expect(r.json['title']).toBe(`[critical] ${m.subject}`);
    expect((r.json['n'] as Array<{ group: string }>)[0]!.group).toBe(HOSTILE);
    expect(r.json['at']).toBe(new Date(m.createdAtMs).toISOString());
    expectNoRawMarkup(r);
  });

  it('a receiver that is not listening is RS_ERR_NOTIFY_UNREACHABLE', async () => {
    const svc = await receiver(() => ({ status: 200, body: 'ok' }));
    const url = svc.url;
    await new Promise((r) => svc.server.close(r));
    const n = notifiersFromConfig(validateConfig({ receivers: { s: { slack: { url: `${url}/services/x` } } } }), {});
    await expect(n.get('s')!.send(message('u1'), new AbortController().signal)).rejects.toMatchObject({ code: 'RS_ERR_NOTIFY_UNREACHABLE' });
  });
});
