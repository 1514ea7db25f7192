import { afterEach, describe, expect, it } from 'vitest';
import { EmailNotifier } from '../../../src/notifiers/index.js';
import { startSmtp, type TestSmtp } from '../../support/smtp.js';
import { alertMessage, HOSTILE } from './helpers.js';

describe('EmailNotifier against a real SMTP server (smtp-server, in process)', () => {
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await smtp?.close();
  });

  it('delivers HTML and text parts with an escaped hostile name and AUTH', async () => {
    smtp = await startSmtp({ users: { alerts: 's3cret' }, allowInsecureAuth: true });
    const notifier = new EmailNotifier({
      receiver: 'ops',
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      requireTLS: false,
      auth: { user: 'alerts', pass: 's3cret' },
      from: 'rightsize@example.com',
      to: ['ops@example.com', 'lead@example.com'],
      rejectUnauthorized: true,
      timeoutMs: 5_000,
    });
    await notifier.send(alertMessage(), new AbortController().signal);
    await notifier.close();
    expect(smtp.logins).toEqual(['alerts']);
    expect(smtp.recipients).toEqual([['ops@example.com', 'lead@example.com']]);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe(`[critical] queue-wait-p95: firing for ${HOSTILE}`);
    expect(mail.text?.trim()).toBe(alertMessage().text);
    expect(typeof mail.html).toBe('string');
    const html = mail.html as string;
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.messageId).toBe('<alert=3aqueue-wait-p95=3a1.ops@rightsize>');
  });

  it('a refused connection is RS_ERR_NOTIFY_SMTP', async () => {
    smtp = await startSmtp();
    const port = smtp.port;
    await smtp.close();
    smtp = undefined;
    const notifier = new EmailNotifier({ receiver: 'ops', host: '127.0.0.1', port, secure: false, requireTLS: false, from: 'a@example.com', to: ['b@example.com'], rejectUnauthorized: true, timeoutMs: 2_000 });
    await expect(notifier.send(alertMessage(), new AbortController().signal)).rejects.toMatchObject({ code: 'RS_ERR_NOTIFY_SMTP', meta: { receiver: 'ops', target: `127.0.0.1:${port}` } });
    await notifier.close();
  });
});
