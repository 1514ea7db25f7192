import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askUrl, choiceFromAnswer, httpLabelAsker } from '../../../../src/emulators/jenkins/askRightsize.js';

describe('the answer → label rule of jenkins/vars/rightsize.groovy', () => {
  it('a 200 naming a covering label is used; everything else is the fallback with its reason', () => {
    expect(choiceFromAnswer(200, { label: 'small', fallback: false, cpus: 0.3, mem: 466 }, 'big')).toEqual({ label: 'small', outcome: 'answered' });
    expect(choiceFromAnswer(200, { label: 'huge', fallback: true }, 'big')).toEqual({ label: 'big', outcome: 'fallback', reason: 'no-covering-label' });
    expect(choiceFromAnswer(200, { cpus: 1, mem: 512, fallback: true }, 'big')).toEqual({ label: 'big', outcome: 'fallback', reason: 'no-label' });
    expect(choiceFromAnswer(200, { label: 7 }, 'big')).toEqual({ label: 'big', outcome: 'fallback', reason: 'bad-answer' });
    expect(choiceFromAnswer(200, ['small'], 'big')).toEqual({ label: 'big', outcome: 'fallback', reason: 'bad-answer' });
    expect(choiceFromAnswer(404, { error: { code: 'RS_ERR_API_NOT_FOUND' } }, 'big')).toEqual({ label: 'big', outcome: 'fallback', reason: 'not-found', status: 404 });
    expect(choiceFromAnswer(503, undefined, 'big')).toEqual({ label: 'big', outcome: 'fallback', reason: 'http-error', status: 503 });
  });

  it('asks GET /api/v1/jobs/<job>?format=mesos-plugin with folders kept and segments encoded', () => {
    expect(askUrl('http://127.0.0.1:8080/', 'team a/PR #1')).toBe('http://127.0.0.1:8080/api/v1/jobs/team%20a/PR%20%231?format=mesos-plugin');
  });
});

describe('the HTTP asker against a real server', () => {
  let server: Server;
  let base = '';
  const seen: Array<{ url: string; auth: string | undefined }> = [];
  const hold: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      const job = decodeURIComponent((req.url ?? '').replace(/^\/api\/v1\/jobs\//, '').replace(/\?.*$/, ''));
      if (job === 'slow') {
        hold.push(res);
        return;
      }
      if (job === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{not json');
        return;
      }
      if (job === 'team/new') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"RS_ERR_API_NOT_FOUND","message":"no recommendation"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ job, label: 'small', cpus: 0.3, mem: 466, fallback: false }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const r of hold) r.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const signal = new AbortController().signal;

  it('answers the label, sending the bearer token when given', async () => {
    const ask = httpLabelAsker({ url: base, token: 'read-token-123', timeoutMs: 2_000 });
    expect(await ask('team/api', 'big', signal)).toEqual({ label: 'small', outcome: 'answered' });
    expect(seen.at(-1)).toEqual({ url: '/api/v1/jobs/team/api?format=mesos-plugin', auth: 'Bearer read-token-123' });
    expect(await httpLabelAsker({ url: base })('x', 'big', signal)).toEqual({ label: 'small', outcome: 'answered' });
    expect(seen.at(-1)!.auth).toBeUndefined();
  });

  it('falls back on a 404, an unreadable answer, a timeout and a refused connection', async () => {
    const ask = httpLabelAsker({ url: base, timeoutMs: 300 });
    expect(await ask('team/new', 'big', signal)).toEqual({ label: 'big', outcome: 'fallback', reason: 'not-found', status: 404 });
    expect(await ask('garbage', 'big', signal)).toEqual({ label: 'big', outcome: 'fallback', reason: 'bad-answer' });
    const t0 = Date.now();
    expect(await ask('slow', 'big', signal)).toEqual({ label: 'big', outcome: 'fallback', reason: 'timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    // A port nobody listens on: the server's, closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await httpLabelAsker({ url: `http://127.0.0.1:${port}` })('x', 'big', signal)).toEqual({ label: 'big', outcome: 'fallback', reason: 'unreachable' });
  });
});
