import { RightsizeError } from '../errors/index.js';
import type { Notifier, OutboundMessage } from '../model/index.js';

/**
 * An in-memory notifier for tests: records every message it is given, and can be told to fail the
 * next attempts (or every attempt until `recover()`) with a coded error, like a dead SMTP server.
 */
export class RecordingNotifier implements Notifier {
  readonly receiver: string;
  readonly kind: string;
  /** Messages delivered, in order. */
  readonly sent: OutboundMessage[] = [];
  /** Every call of `send`, including failed ones. */
  attempts = 0;
  closed = false;
  private _failNext = 0;
  private _down = false;

  constructor(receiver = 'recording', kind = 'recording') {
    this.receiver = receiver;
    this.kind = kind;
  }

  /** The next `n` attempts fail. */
  failNext(n: number): void {
    this._failNext += n;
  }

  /** Every attempt fails until `recover()`. */
  goDown(): void {
    this._down = true;
  }

  recover(): void {
    this._down = false;
    this._failNext = 0;
  }

  send(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    this.attempts += 1;
    if (this.closed) return Promise.reject(new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', `receiver ${this.receiver} is closed`));
    if (signal.aborted) return Promise.reject(new RightsizeError('RS_ERR_NOTIFY_UNREACHABLE', `receiver ${this.receiver}: aborted`));
    if (this._down || this._failNext > 0) {
      if (this._failNext > 0) this._failNext -= 1;
      return Promise.reject(new RightsizeError('RS_ERR_NOTIFY_UNREACHABLE', `receiver ${this.receiver} is down (recording notifier)`, { meta: { receiver: this.receiver } }));
    }
    this.sent.push(message);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
