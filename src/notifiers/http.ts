import { RightsizeError, toError } from '../errors/index.js';
import type { Notifier, OutboundMessage } from '../model/index.js';
import { systemClock, type Clock } from '../util/clock.js';
import { isRecord } from '../util/json.js';

/** One HTTP request a chat notifier sends. */
export interface ChatRequest {
  readonly url: string;
  /** The JSON body, serialized. */
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Checks a 2xx answer's body; throws RS_ERR_NOTIFY_REJECTED when the service refused the message. */
export type AnswerCheck = (bodyText: string, receiver: string) => void;

export interface ChatNotifierOptions {
  readonly receiver: string;
  readonly kind: string;
  /** Builds the request for a message at `nowMs` (signatures carry a timestamp). */
  readonly build: (message: OutboundMessage, nowMs: number) => ChatRequest;
  readonly check?: AnswerCheck;
  readonly clock?: Clock;
  /** Longest answer body read, bytes. @defaultValue 64 KiB */
  readonly maxAnswerBytes?: number;
}

/** A webhook URL for logs and errors: origin and path, long path segments (tokens) and the query masked. */
export function redactTarget(raw: string): string {
  try {
    const u = new URL(raw);
    const path = u.pathname
      .split('/')
      .map((s) => (s.length >= 16 ? '***' : s))
      .join('/');
    return `${u.origin}${path}${u.search ? '?***' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A notifier that POSTs one JSON body per message (Slack, DingTalk, WeCom, Feishu, generic
 * webhooks). Failures are coded: no connection or no answer in time → RS_ERR_NOTIFY_UNREACHABLE,
 * a non-2xx status → RS_ERR_NOTIFY_HTTP_STATUS, a 2xx whose body carries the service's error code →
 * RS_ERR_NOTIFY_REJECTED (from `check`).
 */
export class ChatNotifier implements Notifier {
  readonly receiver: string;
  readonly kind: string;
  private readonly _options: ChatNotifierOptions;
  private readonly _clock: Clock;
  private _closed = false;

  constructor(options: ChatNotifierOptions) {
    this.receiver = options.receiver;
    this.kind = options.kind;
    this._options = options;
    this._clock = options.clock ?? systemClock;
  }

  async send(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    if (this._closed) throw new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', `receiver ${this.receiver} is closed`);
    const request = this._options.build(message, this._clock.nowMs());
    const target = redactTarget(request.url);
    const meta = { receiver: this.receiver, target };
    let res: Response;
    try {
      res = await fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...request.headers },
        body: request.body,
        signal,
        redirect: 'error',
      });
    } catch (err) {
      const e = toError(err) as Error & { cause?: { code?: unknown; message?: unknown } };
      const why = signal.aborted ? toError(signal.reason).message : typeof e.cause?.message === 'string' ? e.cause.message : e.message;
      throw new RightsizeError('RS_ERR_NOTIFY_UNREACHABLE', `receiver ${this.receiver}: POST ${target} failed: ${why}`, { meta, cause: err });
    }
    let text: string;
    try {
      text = (await res.text()).slice(0, this._options.maxAnswerBytes ?? 65_536);
    } catch (err) {
      throw new RightsizeError('RS_ERR_NOTIFY_UNREACHABLE', `receiver ${this.receiver}: the answer of ${target} broke off: ${toError(err).message}`, { meta, cause: err });
    }
    if (res.status < 200 || res.status > 299) {
      throw new RightsizeError('RS_ERR_NOTIFY_HTTP_STATUS', `receiver ${this.receiver}: ${target} answered ${res.status}: ${text.slice(0, 300)}`, { meta: { ...meta, status: res.status } });
    }
    this._options.check?.(text, this.receiver);
  }

  close(): Promise<void> {
    this._closed = true;
    return Promise.resolve();
  }
}

/**
 * The check of DingTalk and WeCom answers: HTTP 200 with `{"errcode":0,"errmsg":"ok"}` on success;
 * any other `errcode` is a refusal (e.g. DingTalk 310000 signature/keyword mismatch, WeCom 40058
 * content too long).
 */
export function errcodeCheck(service: string): AnswerCheck {
  return (bodyText, receiver) => {
    const answer = parseAnswer(bodyText, receiver, service);
    const code = answer['errcode'];
    if (code === 0) return;
    throw rejected(receiver, service, code, answer['errmsg']);
  };
}

/**
 * The check of Feishu/Lark answers: `{"code":0,"msg":"success"}` on success (older bots answered
 * `{"StatusCode":0,"StatusMessage":"success"}`); any other code is a refusal (19021: bad signature
 * or timestamp, 19024: keyword mismatch).
 */
export const feishuCheck: AnswerCheck = (bodyText, receiver) => {
  const answer = parseAnswer(bodyText, receiver, 'feishu');
  const code = answer['code'] ?? answer['StatusCode'];
  if (code === 0) return;
  throw rejected(receiver, 'feishu', code, answer['msg'] ?? answer['StatusMessage']);
};

function parseAnswer(bodyText: string, receiver: string, service: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(bodyText);
  } catch {
    throw new RightsizeError('RS_ERR_NOTIFY_REJECTED', `receiver ${receiver}: ${service} answered 2xx with a body that is not JSON: ${bodyText.slice(0, 200)}`, { meta: { receiver } });
  }
  if (!isRecord(v)) {
    throw new RightsizeError('RS_ERR_NOTIFY_REJECTED', `receiver ${receiver}: ${service} answered 2xx with an unexpected body: ${bodyText.slice(0, 200)}`, { meta: { receiver } });
  }
  return v;
}

function rejected(receiver: string, service: string, code: unknown, msg: unknown): RightsizeError {
  const codeText = code === undefined ? 'no code' : JSON.stringify(code);
  return new RightsizeError('RS_ERR_NOTIFY_REJECTED', `receiver ${receiver}: ${service} refused the message (code ${codeText}: ${typeof msg === 'string' ? msg : 'no message'})`, {
    meta: { receiver, serviceCode: code },
  });
}
