/**
 * The demo's local mail server (scripts/demo.sh): a real SMTP server on 127.0.0.1 that accepts
 * every mail (no AUTH, no TLS: loopback only) and keeps it under --dir as `<n>-<subject>.eml`
 * (the raw message) and `.html` (its HTML part, or the text part wrapped in <pre>), and prints
 * one human line per mail on stdout: `mail: <subject> → <path>`.
 *
 *   node --import tsx scripts/demo-mail.ts --dir .cache/demo/mail [--port 0] [--port-file <file>]
 *
 * The chosen port is written to --port-file once the server listens. SIGINT/SIGTERM close it.
 * smtp-server and mailparser are devDependencies: the demo runs from a clone after `npm ci`
 * (scripts/ensure-deps.sh), never from the published package, so they stay there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '.cache/demo/mail' },
    port: { type: 'string', default: '0' },
    'port-file': { type: 'string' },
  },
});
const dir = values.dir;
mkdirSync(dir, { recursive: true });
let count = 0;

/** `demo [  42s] ` when scripts/demo.sh gives its start time (RIGHTSIZE_DEMO_T0, epoch seconds). */
const t0 = Number(process.env['RIGHTSIZE_DEMO_T0']);
const stamp = (): string => (Number.isFinite(t0) && t0 > 0 ? `demo [${String(Math.round(Date.now() / 1000 - t0)).padStart(4)}s] ` : '');
const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'mail';

const server = new SMTPServer({
  disabledCommands: ['AUTH', 'STARTTLS'],
  authOptional: true,
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (err) => callback(err));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      simpleParser(raw)
        .then((mail) => {
          count += 1;
          const subject = mail.subject ?? '(no subject)';
          const base = join(dir, `${String(count).padStart(3, '0')}-${slug(subject)}`);
          writeFileSync(`${base}.eml`, raw);
          const html = typeof mail.html === 'string' ? mail.html : `<pre>${escapeHtml(mail.text ?? '')}</pre>`;
          writeFileSync(`${base}.html`, html);
          const to = mail.to === undefined ? '' : ` (to ${(Array.isArray(mail.to) ? mail.to : [mail.to]).map((a) => a.text).join(', ')})`;
          process.stdout.write(`${stamp()}mail: ${subject}${to} → ${relative(process.cwd(), base)}.html\n`);
          callback();
        })
        .catch((err: Error) => {
          process.stderr.write(`demo-mail: could not parse a mail (${err.message}); kept as-is\n`);
          count += 1;
          writeFileSync(join(dir, `${String(count).padStart(3, '0')}-unparsed.eml`), raw);
          callback();
        });
    });
  },
});
server.on('error', (err) => process.stderr.write(`demo-mail: ${err.message}\n`));

const port = Number(values.port);
server.listen(Number.isInteger(port) && port >= 0 ? port : 0, '127.0.0.1', () => {
  const address = server.server.address() as AddressInfo;
  if (values['port-file'] !== undefined) writeFileSync(values['port-file'], `${address.port}\n`);
  process.stderr.write(`demo-mail: SMTP on 127.0.0.1:${address.port}, mails kept in ${dir}\n`);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
