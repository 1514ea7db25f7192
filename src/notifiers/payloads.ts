import { TEMPLATE_PLACEHOLDER } from '../config/index.js';
import type { AlertNotice, OutboundMessage, Severity } from '../model/index.js';
import { escapeChatMarkdown, escapeJsonString, escapeSlack, truncateUtf8 } from './escape.js';
import { formatNumber, isHttpUrl, subjectWithSeverity } from './render.js';

/** A URL safe inside a markdown link `[..](url)` or a Slack link `<url|..>`, or undefined. */
function linkUrl(url: string | undefined): string | undefined {
  if (!isHttpUrl(url)) return undefined;
  return new URL(url).href.replace(/[()<>|\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `value 734000 (threshold 600000)` parts of a notice, unescaped. */
function measure(n: AlertNotice): string {
  const parts: string[] = [];
  if (n.group !== undefined) parts.push(`group ${n.group}`);
  if (n.value !== undefined) parts.push(`value ${formatNumber(n.value)}`);
  if (n.threshold !== undefined) parts.push(`threshold ${formatNumber(n.threshold)}`);
  return parts.join(', ');
}

/** The body lines of a chat message in a markdown dialect, every value escaped with `esc`. */
function markdownBody(message: OutboundMessage, esc: (s: string) => string, bold: (s: string) => string, link: (url: string, label: string) => string): string {
  const alerts = message.alerts ?? [];
  if (alerts.length === 0) return esc(message.text);
  return alerts
    .map((n) => {
      const head = `${bold(esc(`[${n.severity}] ${n.action}: ${n.ruleName}`))}${measure(n) ? ` ${esc(measure(n))}` : ''}`;
      const url = linkUrl(n.url);
      return [head, esc(n.message), ...(url ? [link(url, 'open in rightsize')] : [])].join('\n');
    })
    .join('\n\n');
}

/** Slack section text limit (Block Kit reference: a section's text is at most 3000 characters). */
const SLACK_SECTION_MAX = 3_000;
/** Slack allows at most 50 blocks per message. */
const SLACK_MAX_BLOCKS = 50;

function cut(s: string, maxChars: number): string {
  return s.length <= maxChars ? s : `${s.slice(0, maxChars - 1).replace(/&[a-z]*$/, '')}…`;
}

/**
 * Slack incoming webhook body (https://api.slack.com/messaging/webhooks): `text` (the notification
 * fallback) and `blocks` of `section`s with `mrkdwn` text. Every value goes through escapeSlack
 * (`& < >` as entities, https://api.slack.com/reference/surfaces/formatting#escaping), so a name
 * can neither inject markup nor a link or an `<!channel>` mention.
 */
export function slackPayload(message: OutboundMessage): Record<string, unknown> {
  const subject = escapeSlack(subjectWithSeverity(message));
  const sections: string[] = [`*${subject}*`];
  const alerts = message.alerts ?? [];
  if (alerts.length === 0) sections.push(escapeSlack(message.text));
  for (const n of alerts) {
    const url = linkUrl(n.url);
    sections.push(
      [`*${escapeSlack(`[${n.severity}] ${n.action}: ${n.ruleName}`)}*${measure(n) ? ` ${escapeSlack(measure(n))}` : ''}`, escapeSlack(n.message), ...(url ? [`<${url}|open in rightsize>`] : [])].join('\n'),
    );
  }
  const blocks = sections.slice(0, SLACK_MAX_BLOCKS).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, SLACK_SECTION_MAX) } }));
  return { text: cut(subject, SLACK_SECTION_MAX), blocks };
}

/**
 * DingTalk custom robot markdown message (DingTalk "自定义机器人发送消息的消息类型",
 * https://open.dingtalk.com/document/robots/custom-robot-access): `{"msgtype":"markdown",
 * "markdown":{"title":..., "text":...}}`; `title` is what the conversation list shows.
 */
export function dingtalkPayload(message: OutboundMessage): Record<string, unknown> {
  const subject = escapeChatMarkdown(subjectWithSeverity(message));
  const body = markdownBody(message, escapeChatMarkdown, (s) => `**${s}**`, (url, label) => `[${label}](${url})`);
  // DingTalk markdown needs a blank line for a line break; keep paragraphs separate.
  return { msgtype: 'markdown', markdown: { title: subject, text: `### ${subject}\n\n${body.replace(/\n/g, '\n\n')}` } };
}

/** WeCom group robot: markdown `content` is at most 4096 bytes of UTF-8. */
export const WECOM_MARKDOWN_MAX_BYTES = 4_096;
/** The colours WeCom markdown's `<font color>` knows: info (green), comment (grey), warning (orange-red). */
const WECOM_COLOUR: Readonly<Record<Severity, string>> = { critical: 'warning', warning: 'warning', ok: 'info' };

/**
 * WeCom (企业微信) group robot markdown message (https://developer.work.weixin.qq.com/document/path/91770):
 * `{"msgtype":"markdown","markdown":{"content":...}}`, content at most 4096 bytes UTF-8 (longer is
 * refused with errcode 40058), so it is cut at a character boundary. The only markup added is
 * ours (`<font color>` around the subject); values are escaped.
 */
export function wecomPayload(message: OutboundMessage): Record<string, unknown> {
  const subject = escapeChatMarkdown(subjectWithSeverity(message));
  const body = markdownBody(message, escapeChatMarkdown, (s) => `**${s}**`, (url, label) => `[${label}](${url})`);
  const content = truncateUtf8(`### <font color="${WECOM_COLOUR[message.severity] ?? 'comment'}">${subject}</font>\n${body}`, WECOM_MARKDOWN_MAX_BYTES);
  return { msgtype: 'markdown', markdown: { content } };
}

const FEISHU_TEMPLATE: Readonly<Record<Severity, string>> = { critical: 'red', warning: 'orange', ok: 'green' };

/**
 * Feishu/Lark custom bot body (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
 * `{"msg_type":"text","content":{"text":...}}`, or a message card `{"msg_type":"interactive",
 * "card":{"header":{"title":{"tag":"plain_text",...},"template":...},"elements":[{"tag":"div",
 * "text":{"tag":"lark_md","content":...}}]}}`. With a signing secret, `timestamp` (seconds, a
 * string) and `sign` are added at the top level. Text, titles and lark_md are escaped (`& < >` as
 * entities: Feishu text and lark_md interpret `<at>` and `<font>` tags).
 */
export function feishuPayload(message: OutboundMessage, msgType: 'text' | 'interactive', signature?: { readonly timestamp: string; readonly sign: string }): Record<string, unknown> {
  const signed = signature ? { timestamp: signature.timestamp, sign: signature.sign } : {};
  const subject = subjectWithSeverity(message);
  if (msgType === 'text') {
    const plain = escapeSlack(`${subject}\n${message.alerts && message.alerts.length > 0 ? message.alerts.map((n) => `[${n.severity}] ${n.action}: ${n.ruleName}${measure(n) ? ` ${measure(n)}` : ''}\n${n.message}${isHttpUrl(n.url) ? `\n${n.url}` : ''}`).join('\n\n') : message.text}`);
    return { ...signed, msg_type: 'text', content: { text: plain } };
  }
  const body = markdownBody(message, escapeChatMarkdown, (s) => `**${s}**`, (url, label) => `[${label}](${url})`);
  return {
    ...signed,
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true },
      header: { title: { tag: 'plain_text', content: escapeSlack(subject) }, template: FEISHU_TEMPLATE[message.severity] ?? 'blue' },
      elements: [{ tag: 'div', text: { tag: 'lark_md', content: body } }],
    },
  };
}

/** The values a generic webhook template can name. */
export function templateValues(message: OutboundMessage, receiver: string): Record<string, unknown> {
  return {
    id: message.id,
    kind: message.kind,
    severity: message.severity,
    subject: subjectWithSeverity(message),
    text: message.text,
    receiver,
    createdAt: new Date(message.createdAtMs).toISOString(),
    alerts: (message.alerts ?? []).map((n) => ({
      ruleId: n.ruleId,
      ruleName: n.ruleName,
      ...(n.group === undefined ? {} : { group: n.group }),
      severity: n.severity,
      action: n.action,
      ...(n.value === undefined ? {} : { value: n.value }),
      ...(n.threshold === undefined ? {} : { threshold: n.threshold }),
      message: n.message,
      ...(n.url === undefined ? {} : { url: n.url }),
      since: new Date(n.sinceMs).toISOString(),
    })),
  };
}

/** JSON text of a value with `< > &` and U+2028/2029 as `\u` escapes (parses back to the same value). */
function safeJson(value: unknown): string {
  return JSON.stringify(value ?? null).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Renders a generic webhook body template: `{{name}}` (meant inside a JSON string literal) becomes
 * the value JSON-string-escaped, `{{json name}}` the value as JSON. Throws a SyntaxError-carrying
 * Error when the result is not JSON; unknown names are refused at config time.
 */
export function renderWebhookBody(template: string, values: Readonly<Record<string, unknown>>): string {
  const body = template.replace(TEMPLATE_PLACEHOLDER, (_m, json: string | undefined, name: string) => {
    const v = values[name];
    if (json) return safeJson(v);
    return escapeJsonString(typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
  });
  JSON.parse(body);
  return body;
}
