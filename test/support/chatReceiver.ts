import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a {@link startChatReceiver} server got. */
export interface ChatRequest {
  readonly atMs: number;
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly raw: string;
  /** The body parsed as JSON ({} when it is not JSON). */
  readonly json: Record<string, unknown>;
  /** What the receiver answered. */
  readonly accepted: boolean;
}

export interface ChatReceiver {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: ChatRequest[];
  /** The requests it accepted (answered as the service does on success). */
  accepted(): ChatRequest[];
  close(): Promise<void>;
}

/**
 * A real DingTalk custom-robot endpoint on 127.0.0.1:0 (`POST /robot/send?access_token=…`) that
 * checks what DingTalk checks: the token, `timestamp` (ms, within an hour) and
 * `sign` = base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)) in the query, and a JSON body
 * with `msgtype`. It answers `{"errcode":0}` or DingTalk's error codes (310000 sign mismatch,
 * 300001 token, 40035 bad body), always with HTTP 200 as the service does.
 */
export async function startDingtalkReceiver(opts: { readonly token: string; readonly secret: string }): Promise<ChatReceiver> {
  const requests: ChatRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        const v: unknown = JSON.parse(raw);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) json = v as Record<string, unknown>;
      } catch {
        // not JSON: answered as a bad body below
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ts = Number(url.searchParams.get('timestamp'));
      const sign = createHmac('sha256', opts.secret).update(`${ts}\n${opts.secret}`).digest('base64');
      let errcode = 0;
      let errmsg = 'ok';
      if (req.method !== 'POST' || url.pathname !== '/robot/send' || url.searchParams.get('access_token') !== opts.token) [errcode, errmsg] = [300001, 'token is not exist'];
      else if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > 3_600_000 || url.searchParams.get('sign') !== sign) [errcode, errmsg] = [310000, 'sign not match'];
      else if (typeof json['msgtype'] !== 'string') [errcode, errmsg] = [40035, 'missing msgtype'];
      requests.push({ atMs: Date.now(), method: req.method ?? '', url, headers: req.headers, raw, json, accepted: errcode === 0 });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode, errmsg }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    accepted: () => requests.filter((r) => r.accepted),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The markdown text of a DingTalk robot message (`markdown.text`, or `text.content`). */
export function dingtalkText(r: ChatRequest): string {
  const md = r.json['markdown'] as { text?: unknown } | undefined;
  const tx = r.json['text'] as { content?: unknown } | undefined;
  return typeof md?.text === 'string' ? md.text : typeof tx?.content === 'string' ? tx.content : '';
}
