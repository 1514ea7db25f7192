import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli.js';
import { startSmtp, type TestSmtp } from '../../../support/smtp.js';

describe('rightsize notify test', () => {
  let dir: string;
  let file: string;
  let smtp: TestSmtp;
  let http: Server;
  const bodies: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp({ users: { alerts: 'pw' }, allowInsecureAuth: true });
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        if (req.url === '/broken') res.writeHead(500).end('internal');
        else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'rightsize-notify-'));
    file = join(dir, 'rightsize.yaml');
    writeFileSync(
      file,
      [
        'receivers:',
        '  ops:',
        '    email:',
        '      host: 127.0.0.1',
        `      port: ${smtp.port}`,
        '      user: alerts',
        '      from: rightsize@example.com',
        '      to: [ops@example.com]',
        '  chat:',
        '    slack:',
        `      url: http://127.0.0.1:${port}/services/T/B/X`,
        '  broken:',
        '    slack:',
        `      url: http://127.0.0.1:${port}/broken`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await smtp.close();
    await new Promise((r) => http.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a test mail through an email receiver (password from RIGHTSIZE_SMTP_PASSWORD)', async () => {
    const run = await runCli(['notify', 'test', '--receiver', 'ops', '--config', file], { RIGHTSIZE_SMTP_PASSWORD: 'pw' });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^ok: test message delivered to receiver ops \(email\) in \d+ ms\n$/);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toBe('[ok] rightsize test message for receiver ops');
    expect(smtp.mails[0]!.html).toContain('&lt;b&gt;not bold&lt;/b&gt;');
  });

  it('sends a chat test message, and exits 1 with the coded error when delivery fails', async () => {
    const ok = await runCli(['notify', 'test', '-r', 'chat', '-c', file]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(bodies.at(-1)!).text).toContain('rightsize test message for receiver chat');
    const failed = await runCli(['notify', 'test', '-r', 'broken', '-c', file]);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/^error RS_ERR_NOTIFY_HTTP_STATUS: receiver broken: .* answered 500/);
  });

  it('usage errors exit 2: an unknown receiver, a missing --receiver; a missing secret is a config error', async () => {
    const unknown = await runCli(['notify', 'test', '--receiver', 'nope', '--config', file]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("error RS_ERR_NOTIFY_RECEIVER_UNKNOWN: no receiver named 'nope' (configured: ops, chat, broken)");
    expect((await runCli(['notify', 'test', '--config', file])).code).toBe(2);
    const noSecret = await runCli(['notify', 'test', '--receiver', 'ops', '--config', file]);
    expect(noSecret.code).toBe(1);
    expect(noSecret.err).toContain('RS_ERR_CONFIG_INVALID');
    expect(noSecret.err).toContain('/receivers/ops/email/passwordEnv');
  });
});
