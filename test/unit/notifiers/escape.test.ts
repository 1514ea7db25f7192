import { describe, expect, it } from 'vitest';
import { escapeChatMarkdown, escapeHtml, escapeJsonString, escapeSlack, oneLine, truncateUtf8 } from '../../../src/notifiers/index.js';
import { HOSTILE } from './helpers.js';

describe('escaping per medium', () => {
  it('HTML escapes the five special characters and nothing else', () => {
    expect(escapeHtml(`${HOSTILE} & "q" 'a'`)).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;');
    expect(escapeHtml('plain-name_1.0 ü')).toBe('plain-name_1.0 ü');
  });

  it('Slack escapes only & < > (its formatting reference)', () => {
    expect(escapeSlack(`${HOSTILE} & "q"`)).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &amp; "q"');
    // a Slack link or mention cannot be forged from a name
    expect(escapeSlack('<!channel> <http://evil|click>')).not.toMatch(/[<>]/);
  });

  it('chat markdown escapes HTML and markdown markers, keeps newlines', () => {
    const out = escapeChatMarkdown(`${HOSTILE}\n[x](http://evil) *b* _i_ \`c\` # h`);
    expect(out).not.toMatch(/[<>]/);
    expect(out).toContain('&lt;script&gt;');
    expect(out).toContain('\\[x\\]\\(http://evil\\)');
    expect(out).toContain('\\*b\\* \\_i\\_ \\`c\\` \\# h');
    expect(out.split('\n')).toHaveLength(2);
    expect(escapeChatMarkdown('a\u0007b\tc')).toBe('a b c');
  });

  it('JSON string escaping parses back to the value and carries no markup', () => {
    const value = `${HOSTILE} "quoted" \\ back\nline\u2028 & done`;
    const inner = escapeJsonString(value);
    expect(inner).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(`"${inner}"`)).toBe(value);
  });

  it('oneLine removes CR/LF (no header injection)', () => {
    expect(oneLine('subject\r\nBcc: victim@example.com')).toBe('subject Bcc: victim@example.com');
  });

  it('truncates UTF-8 at a character boundary within the byte budget', () => {
    const text = '告警'.repeat(2000); // 3 bytes each
    const cut = truncateUtf8(text, 4096);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(4096);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
    expect(truncateUtf8('short', 4096)).toBe('short');
    // a cut never leaves half an entity
    expect(truncateUtf8('aaaa&amp;bbbb', 8, '')).toBe('aaaa');
    expect(truncateUtf8('aaaa&amp;bbbb', 9, '')).toBe('aaaa&amp;');
  });
});
