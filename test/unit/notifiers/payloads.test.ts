import { describe, expect, it } from 'vitest';
import {
  dingtalkPayload,
  errcodeCheck,
  feishuCheck,
  feishuPayload,
  renderWebhookBody,
  slackPayload,
  templateValues,
  wecomPayload,
  WECOM_MARKDOWN_MAX_BYTES,
} from '../../../src/notifiers/index.js';
import { validateConfig } from '../../../src/config/index.js';
import { alertMessage, HOSTILE, notice } from './helpers.js';

const raw = (v: unknown): string => JSON.stringify(v);

describe('chat payloads', () => {
  it('Slack: text fallback and mrkdwn sections, names escaped, links and mentions not forgeable', () => {
    const p = slackPayload(alertMessage({ alerts: [notice({ group: '<!channel>' }), notice()] })) as { text: string; blocks: Array<{ type: string; text: { type: string; text: string } }> };
    expect(p.text).toBe('[critical] queue-wait-p95: firing for &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(p.blocks).toHaveLength(3);
    for (const b of p.blocks) expect(b).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(raw(p)).not.toContain(HOSTILE);
    expect(raw(p)).not.toContain('<!channel>');
    expect(p.blocks[1]!.text.text).toContain('&lt;!channel&gt;');
    expect(p.blocks[2]!.text.text).toContain('<http://rightsize.example/ui/?label=x|open in rightsize>');
    expect(p.blocks[2]!.text.text).toContain('value 734000, threshold 600000');
    // a section never exceeds Slack's 3000 characters
    const long = slackPayload(alertMessage({ alerts: [], text: 'x'.repeat(10_000) })) as { blocks: Array<{ text: { text: string } }> };
    expect(Math.max(...long.blocks.map((b) => b.text.text.length))).toBeLessThanOrEqual(3_000);
  });

  it('DingTalk: msgtype markdown with title and text, names escaped', () => {
    const p = dingtalkPayload(alertMessage()) as { msgtype: string; markdown: { title: string; text: string } };
    expect(p.msgtype).toBe('markdown');
    expect(p.markdown.title).toContain('&lt;script&gt;');
    expect(p.markdown.text.startsWith('### ')).toBe(true);
    expect(p.markdown.text).toContain('[open in rightsize](http://rightsize.example/ui/?label=x)');
    expect(raw(p)).not.toContain(HOSTILE);
    expect(raw(p)).not.toMatch(/<script/i);
  });

  it('WeCom: msgtype markdown, content within 4096 bytes, names escaped', () => {
    const p = wecomPayload(alertMessage()) as { msgtype: string; markdown: { content: string } };
    expect(p.msgtype).toBe('markdown');
    expect(p.markdown.content).toMatch(/^### <font color="warning">/);
    expect(raw(p)).not.toContain(HOSTILE);
    const huge = wecomPayload(alertMessage({ alerts: Array.from({ length: 200 }, (_, i) => notice({ ruleName: `规则-${i}` })) })) as { markdown: { content: string } };
    expect(Buffer.byteLength(huge.markdown.content, 'utf8')).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
    expect(huge.markdown.content.endsWith('…')).toBe(true);
  });

  it('Feishu: interactive card or text, signature fields at the top level, names escaped', () => {
    const card = feishuPayload(alertMessage(), 'interactive', { timestamp: '1599360473', sign: 'c2lnbg==' }) as Record<string, ReturnType<typeof JSON.parse>>;
    expect(card).toMatchObject({ timestamp: '1599360473', sign: 'c2lnbg==', msg_type: 'interactive' });
    expect(card['card'].header.title.tag).toBe('plain_text');
    expect(card['card'].header.template).toBe('red');
    expect(card['card'].elements[0].text.tag).toBe('lark_md');
    expect(raw(card)).not.toContain(HOSTILE);
    const text = feishuPayload(alertMessage(), 'text') as Record<string, ReturnType<typeof JSON.parse>>;
    expect(Object.keys(text).sort()).toEqual(['content', 'msg_type']);
    expect(text['msg_type']).toBe('text');
    expect(text['content'].text).toContain('&lt;script&gt;');
    expect(raw(text)).not.toContain(HOSTILE);
  });

  it('generic webhook: the default template renders JSON that parses back to the values, markup \\u-escaped', () => {
    const template = validateConfig({ receivers: { h: { webhook: { url: 'http://127.0.0.1/x' } } } }).receivers['h']!.webhook!.body;
    const body = renderWebhookBody(template, templateValues(alertMessage(), 'h'));
    expect(body).not.toMatch(/[<>]/);
    const parsed = JSON.parse(body);
    expect(parsed.subject).toBe(alertMessage().subject);
    expect(parsed.text).toBe(alertMessage().text);
    expect(parsed.alerts[0]).toMatchObject({ ruleId: 'queue-wait-p95', group: HOSTILE, value: 734000, since: '2026-11-20T08:00:00.000Z' });
    expect(renderWebhookBody('{"n":{{json alerts}},"q":"{{ text }}"}', { alerts: [], text: 'a"b\\c\nd' })).toBe('{"n":[],"q":"a\\"b\\\\c\\nd"}');
    expect(() => renderWebhookBody('{"broken": {{text}}}', { text: 'x' })).toThrow();
  });

  it('answers with an error code in a 200 body are refusals', () => {
    expect(() => errcodeCheck('dingtalk')('{"errcode":0,"errmsg":"ok"}', 'd')).not.toThrow();
    expect(() => errcodeCheck('dingtalk')('{"errcode":310000,"errmsg":"sign not match"}', 'd')).toThrow(expect.objectContaining({ code: 'RS_ERR_NOTIFY_REJECTED', meta: { receiver: 'd', serviceCode: 310000 } }) as Error);
    expect(() => errcodeCheck('wecom')('<html>', 'w')).toThrow(expect.objectContaining({ code: 'RS_ERR_NOTIFY_REJECTED' }) as Error);
    expect(() => feishuCheck('{"code":0,"msg":"success","data":{}}', 'f')).not.toThrow();
    expect(() => feishuCheck('{"StatusCode":0,"StatusMessage":"success"}', 'f')).not.toThrow();
    expect(() => feishuCheck('{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}', 'f')).toThrow(
      expect.objectContaining({ code: 'RS_ERR_NOTIFY_REJECTED', meta: { receiver: 'f', serviceCode: 19021 } }) as Error,
    );
  });
});
