import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../src/notifiers/index.js';
import { alertMessage, HOSTILE } from './helpers.js';

describe('renderEmail', () => {
  it('puts severity and rule in a one-line subject', () => {
    const mail = renderEmail(alertMessage({ subject: 'queue-wait-p95: firing\r\nBcc: x@example.com' }));
    expect(mail.subject).toBe('[critical] queue-wait-p95: firing Bcc: x@example.com');
    // a subject naming the severity already is not prefixed twice
    expect(renderEmail(alertMessage()).subject.match(/\[critical\]/g)).toHaveLength(1);
  });

  it('escapes every value in the HTML part and keeps the text part plain', () => {
    const mail = renderEmail(alertMessage());
    expect(mail.html).not.toContain(HOSTILE);
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('&amp; rising');
    for (const field of ['rule', 'state', 'severity', 'group', 'value', 'threshold', 'since', 'link']) expect(mail.html).toContain(`>${field}</th>`);
    expect(mail.html).toContain('734000');
    expect(mail.html).toContain('2026-11-20T08:00:00.000Z');
    expect(mail.text).toBe(alertMessage().text);
  });

  it('links only http(s) URLs', () => {
    const js = renderEmail(alertMessage({ alerts: [{ ...alertMessage().alerts![0]!, url: 'javascript:alert(1)' }] }));
    expect(js.html).not.toContain('javascript:');
    expect(renderEmail(alertMessage()).html).toContain('<a href="http://rightsize.example/ui/?label=x">');
  });

  it('sends a report body as given', () => {
    const html = '<!DOCTYPE html><html><body><p>report &lt;b&gt;</p></body></html>';
    const mail = renderEmail(alertMessage({ kind: 'report', html, alerts: [] }));
    expect(mail.html).toBe(html);
  });
});
