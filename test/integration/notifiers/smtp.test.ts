import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/index.js';
import type { OutboundMessage } from '../../../src/model/index.js';
import type { Outbox} from '../../../src/notifiers/index.js';
import { notifiersFromConfig, outboxFromConfig, type OutboxEvent } from '../../../src/notifiers/index.js';
import { pollUntil } from '../../support/poll.js';
import { startSmtp, type TestSmtp } from '../../support/smtp.js';

const HOSTILE = '<script>alert(1)</script>';

function message(id: string, createdAtMs = Date.now()): OutboundMessage {
  return {
    id,
    kind: 'alert',
    severity: 'critical',
    subject: `cluster-cpu-allocation: firing for ${HOSTILE}`,
    text: `CPU allocation 0.94 > 0.9 on ${HOSTILE}`,
    alerts: [{ ruleId: 'cluster-cpu-allocation', ruleName: 'CPU allocation', group: HOSTILE, severity: 'critical', action: 'fired', value: 0.94, threshold: 0.9, message: `job ${HOSTILE} reserves 1.4 idle cores`, sinceMs: createdAtMs - 600_000 }],
    createdAtMs,
  };
}

let dir: string;
let cert: { key: Buffer; cert: Buffer; caFile: string };

beforeAll(() => {
  // A self-signed certificate for 127.0.0.1, generated for this run.
  dir = mkdtempSync(join(tmpdir(), 'rightsize-smtp-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  cert = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), caFile: join(dir, 'cert.pem') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('email through a real SMTP server (smtp-server + mailparser)', () => {
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  it('STARTTLS required, self-signed CA trusted by caFile, AUTH password from env; HTML and text parts escaped', async () => {
    smtp = await startSmtp({ key: cert.key, cert: cert.cert, users: { alerts: 'pw-from-env' } });
    const config = validateConfig({
      receivers: { ops: { email: { host: '127.0.0.1', port: smtp.port, requireTLS: true, user: 'alerts', caFile: cert.caFile, from: 'rightsize@example.com', to: ['ops@example.com'] } } },
    });
    const notifiers = notifiersFromConfig(config, { RIGHTSIZE_SMTP_PASSWORD: 'pw-from-env' });
    await notifiers.get('ops')!.send(message('m-tls'), new AbortController().signal);
    await notifiers.get('ops')!.close();
    expect(smtp.secureSessions).toBe(1);
    expect(smtp.logins).toEqual(['alerts']);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe(`[critical] cluster-cpu-allocation: firing for ${HOSTILE}`);
    expect(mail.text).toContain(`CPU allocation 0.94 > 0.9 on ${HOSTILE}`);
    const html = mail.html as string;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(HOSTILE);
  });

  it('requireTLS refuses a server without STARTTLS; an untrusted certificate is refused', async () => {
    smtp = await startSmtp();
    const plain = notifiersFromConfig(validateConfig({ receivers: { ops: { email: { host: '127.0.0.1', port: smtp.port, requireTLS: true, from: 'a@example.com', to: ['b@example.com'] } } } }), {});
    await expect(plain.get('ops')!.send(message('x'), new AbortController().signal)).rejects.toMatchObject({ code: 'RS_ERR_NOTIFY_SMTP' });
    await smtp.close();
    smtp = await startSmtp({ key: cert.key, cert: cert.cert });
    const untrusted = notifiersFromConfig(validateConfig({ receivers: { ops: { email: { host: '127.0.0.1', port: smtp.port, requireTLS: true, from: 'a@example.com', to: ['b@example.com'] } } } }), {});
    await expect(untrusted.get('ops')!.send(message('y'), new AbortController().signal)).rejects.toMatchObject({ code: 'RS_ERR_NOTIFY_SMTP' });
    expect(smtp.mails).toHaveLength(0);
  });

  it('an SMTP server down for a while: the mail arrives once after it returns (Outbox retries)', async () => {
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close(); // the server is down
    const events: OutboxEvent[] = [];
    const config = validateConfig({
      receivers: { ops: { email: { host: '127.0.0.1', port, from: 'rightsize@example.com', to: ['ops@example.com'] }, retryBaseMs: 100, retryMaxMs: 400, maxAgeMs: 120_000, timeoutMs: 2_000 } },
    });
    const box = outboxFromConfig(config, {}, { onEvent: (e) => events.push(e) });
    box.enqueue('ops', message('outage-1'));
    await pollUntil('three failed attempts', 20_000, () => Promise.resolve(box.stats()[0]!.failedAttempts >= 3 ? true : undefined), 50);
    expect(box.stats()[0]).toMatchObject({ delivered: 0, queued: 1, dropped: 0 });
    smtp = await startSmtp({ port }); // back
    await pollUntil('the mail after the outage', 20_000, () => Promise.resolve(smtp!.mails.length > 0 ? true : undefined), 50);
    await box.close();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toContain('cluster-cpu-allocation');
    expect(box.stats()[0]).toMatchObject({ delivered: 1, dropped: 0, queued: 0 });
    expect(events.filter((e) => e.type === 'failed').every((e) => e.type === 'failed' && e.error.code === 'RS_ERR_NOTIFY_SMTP')).toBe(true);
    expect(events.filter((e) => e.type === 'delivered')).toHaveLength(1);
  });

  it('max age exceeded while the server is down: dropped, counted, never sent later', async () => {
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    const events: OutboxEvent[] = [];
    const config = validateConfig({
      receivers: { ops: { email: { host: '127.0.0.1', port, from: 'rightsize@example.com', to: ['ops@example.com'] }, retryBaseMs: 100, retryMaxMs: 200, maxAgeMs: 1_500, timeoutMs: 1_000 } },
    });
    const box: Outbox = outboxFromConfig(config, {}, { onEvent: (e) => events.push(e) });
    box.enqueue('ops', message('too-old'));
    await pollUntil('the drop', 20_000, () => Promise.resolve(box.stats()[0]!.dropped === 1 ? true : undefined), 50);
    // Nothing is left to retry: a server coming back later gets nothing.
    expect(box.pending()).toEqual([]);
    await box.close();
    expect(box.stats()[0]).toMatchObject({ delivered: 0, dropped: 1, queued: 0 });
    const dropped = events.find((e) => e.type === 'dropped');
    expect(dropped?.type === 'dropped' && [dropped.reason, dropped.error.code]).toEqual(['max-age', 'RS_ERR_NOTIFY_DROPPED']);
  });
});
