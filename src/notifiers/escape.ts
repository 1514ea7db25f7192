/**
 * Escaping per medium. Every value that reaches a notification (job, label, rule and group names,
 * messages) is untrusted: a job named `<script>alert(1)</script>` must arrive as text everywhere.
 */

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML text and attribute values: `& < > " '` become entities. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] as string);
}

/**
 * Slack `mrkdwn` and `text`: Slack's formatting reference asks to escape exactly `&`, `<` and `>`
 * as `&amp;`, `&lt;`, `&gt;` (https://api.slack.com/reference/surfaces/formatting#escaping); other
 * entities are shown literally, so nothing else is replaced.
 */
export function escapeSlack(value: string): string {
  return value.replace(/[&<>]/g, (c) => HTML_ENTITIES[c] as string);
}

/**
 * The markdown dialects of DingTalk, WeCom and Feishu (`lark_md`): their renderers accept some HTML
 * (`<font>`, `<at>`), so `& < >` become entities, and markdown's own markers are backslash-escaped
 * so a name cannot open a link, emphasis, heading or code span. Newlines are kept; other control
 * characters become spaces.
 */
export function escapeChatMarkdown(value: string): string {
  return value
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c] as string)
    .replace(/[\\`*_[\]()#~|!]/g, (c) => `\\${c}`)
    // eslint-disable-next-line no-control-regex -- control characters are what is replaced
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ');
}

/**
 * The inside of a JSON string literal (without the quotes). `<`, `>`, `&` and U+2028/U+2029 are
 * written as `\u` escapes too, so a receiver that pastes the string into HTML or a script gets no
 * markup from it. The result parses back to exactly `value`.
 */
export function escapeJsonString(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One line for a header (mail subject): CR, LF and other control characters become spaces. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Cuts `value` to at most `maxBytes` UTF-8 bytes at a character boundary, ending in `suffix` when cut. */
export function truncateUtf8(value: string, maxBytes: number, suffix = '…'): string {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(suffix, 'utf8'));
  let bytes = 0;
  let out = '';
  for (const ch of value) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > budget) break;
    bytes += n;
    out += ch;
  }
  // Never leave a dangling backslash or a half entity from an escape.
  out = out.replace(/\\$/, '').replace(/&[a-z#0-9]*$/i, '');
  return out + suffix;
}
