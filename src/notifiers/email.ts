import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { RightsizeError, toError } from '../errors/index.js';
import type { AlertNotice, Notifier, OutboundMessage, Severity } from '../model/index.js';
import { escapeHtml, oneLine } from './escape.js';
import { isHttpUrl, noticeFields, subjectWithSeverity } from './render.js';

/** A mail as sent: one subject line, a plain-text part and an HTML part. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const SEVERITY_COLOUR: Readonly<Record<Severity, string>> = { critical: '#b00020', warning: '#b26a00', ok: '#1b7f3b' };

function noticeRow(notice: AlertNotice): string {
  const cells = noticeFields(notice).map(([label, value]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
  if (isHttpUrl(notice.url)) cells.push(`<tr><th align="left" style="padding:2px 12px 2px 0">link</th><td><a href="${escapeHtml(notice.url)}">${escapeHtml(notice.url)}</a></td></tr>`);
  return `<table style="border-collapse:collapse;margin:0 0 8px 0">${cells.join('')}</table><p style="white-space:pre-wrap;margin:0 0 16px 0">${escapeHtml(notice.message)}</p>`;
}

/**
 * Renders a message as a mail (pure). The subject carries the severity and the message's subject
 * (which names the rule), on one line. The HTML part is `message.html` as is when present (a
 * complete, escaped report), otherwise a small self-contained page in which every value is
 * HTML-escaped: the alerts (rule, state, severity, group, value, threshold, since, link) and the
 * text.
 */
export function renderEmail(message: OutboundMessage): RenderedEmail {
  const subject = oneLine(subjectWithSeverity(message));
  if (message.html !== undefined) return { subject, text: message.text, html: message.html };
  const alerts = (message.alerts ?? []).map(noticeRow).join('');
  const html = [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    `<h2 style="color:${SEVERITY_COLOUR[message.severity] ?? '#222'};font-size:18px">${escapeHtml(subject)}</h2>`,
    alerts,
    `<div style="white-space:pre-wrap">${escapeHtml(message.text)}</div>`,
    '<p style="color:#777;font-size:12px">sent by rightsize</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text: message.text, html };
}

export interface EmailNotifierOptions {
  readonly receiver: string;
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465). */
  readonly secure: boolean;
  /** Fail unless STARTTLS upgrades the connection. */
  readonly requireTLS: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  readonly from: string;
  readonly to: readonly string[];
  /** PEM CA certificates the server certificate must chain to. */
  readonly ca?: string;
  readonly rejectUnauthorized: boolean;
  /** Connection, greeting and socket timeout, ms. */
  readonly timeoutMs: number;
}

/** `Message-ID` from the message id, so a retried mail keeps its identity for the mail clients. */
function messageIdHeader(message: OutboundMessage, receiver: string): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, (c) => `=${c.charCodeAt(0).toString(16)}`).slice(0, 200);
  return `<${safe(message.id)}.${safe(receiver)}@rightsize>`;
}

/** Email over SMTP with nodemailer: one connection per message (no pool), TLS or STARTTLS, optional AUTH. */
export class EmailNotifier implements Notifier {
  readonly kind = 'email';
  readonly receiver: string;
  private readonly _transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly _options: EmailNotifierOptions;
  private _closed = false;

  constructor(options: EmailNotifierOptions) {
    this.receiver = options.receiver;
    this._options = options;
    this._transport = createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      requireTLS: options.requireTLS,
      ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.pass } } : {}),
      tls: { rejectUnauthorized: options.rejectUnauthorized, ...(options.ca === undefined ? {} : { ca: options.ca }) },
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
  }

  async send(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    if (this._closed) throw new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', `receiver ${this.receiver} is closed`);
    const mail = renderEmail(message);
    const where = `${this._options.host}:${this._options.port}`;
    if (signal.aborted) throw smtpError(this.receiver, where, toError(signal.reason));
    // nodemailer takes no AbortSignal: a send that outlives the signal is abandoned (its socket
    // ends at socketTimeout); the outbox counts the attempt as failed.
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        this._transport.sendMail({
          from: this._options.from,
          to: [...this._options.to],
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: messageIdHeader(message, this.receiver),
          headers: { 'X-Rightsize-Message-Id': oneLine(message.id).slice(0, 500), 'X-Rightsize-Severity': message.severity },
        }),
        new Promise<never>((_, reject) => {
          onAbort = () => reject(toError(signal.reason));
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } catch (err) {
      throw smtpError(this.receiver, where, err);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  close(): Promise<void> {
    if (!this._closed) {
      this._closed = true;
      this._transport.close();
    }
    return Promise.resolve();
  }
}

function smtpError(receiver: string, where: string, err: unknown): RightsizeError {
  if (err instanceof RightsizeError && err.code === 'RS_ERR_NOTIFY_SMTP') return err;
  const e = toError(err) as Error & { code?: unknown; responseCode?: unknown; command?: unknown };
  const meta: Record<string, unknown> = { receiver, target: where };
  if (typeof e.code === 'string') meta['smtpError'] = e.code;
  if (typeof e.responseCode === 'number') meta['status'] = e.responseCode;
  if (typeof e.command === 'string') meta['command'] = e.command;
  return new RightsizeError('RS_ERR_NOTIFY_SMTP', `receiver ${receiver}: mail to ${where} failed: ${e.message}`, { meta, cause: err });
}
