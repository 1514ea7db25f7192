import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { capConnections, ConnectionTable } from '../../../src/api/connections.js';
import { pollUntil } from '../../support/poll.js';
import { openSocket } from '../../support/sockets.js';

describe('ConnectionTable (the eviction policy)', () => {
  it('takes connections in below the cap without closing any', () => {
    const t = new ConnectionTable<string>(3);
    expect(['a', 'b', 'c'].map((id) => t.admit(id))).toEqual([{ admitted: true }, { admitted: true }, { admitted: true }]);
    expect(t.stats()).toEqual({ open: 3, evicted: { unused: 0, idle: 0 }, refused: 0 });
    expect(t.stateOf('a')).toBe('unused');
  });

  it('at the cap closes the oldest never-used connection, before any idle one', () => {
    const t = new ConnectionTable<string>(3);
    for (const id of ['used', 'u1', 'u2']) t.admit(id);
    t.requestStarted('used');
    t.requestFinished('used');
    expect(t.stateOf('used')).toBe('idle');
    expect(t.admit('n1')).toEqual({ admitted: true, evict: { id: 'u1', state: 'unused' } });
    expect(t.admit('n2')).toEqual({ admitted: true, evict: { id: 'u2', state: 'unused' } });
    // n1 (older) goes before n2; the idle one is kept while unused ones remain.
    expect(t.admit('n3')).toEqual({ admitted: true, evict: { id: 'n1', state: 'unused' } });
    expect(t.stateOf('used')).toBe('idle');
    expect(t.stats()).toEqual({ open: 3, evicted: { unused: 3, idle: 0 }, refused: 0 });
  });

  it('with no never-used connection closes the one idle the longest (its last request ended first)', () => {
    const t = new ConnectionTable<string>(3);
    for (const id of ['a', 'b', 'c']) t.admit(id);
    for (const id of ['a', 'b', 'c']) t.requestStarted(id);
    // b finishes first, then c, then a: b has been idle the longest, although a is the oldest.
    for (const id of ['b', 'c', 'a']) t.requestFinished(id);
    expect(t.admit('n1')).toEqual({ admitted: true, evict: { id: 'b', state: 'idle' } });
    // n1 is unused now, so it goes before c and a.
    expect(t.admit('n2')).toEqual({ admitted: true, evict: { id: 'n1', state: 'unused' } });
    t.requestStarted('n2');
    expect(t.admit('n3')).toEqual({ admitted: true, evict: { id: 'c', state: 'idle' } });
    expect(t.stats().evicted).toEqual({ unused: 1, idle: 2 });
  });

  it('a connection used again leaves the idle order and re-enters it as the newest idle one', () => {
    const t = new ConnectionTable<string>(2);
    for (const id of ['a', 'b']) t.admit(id);
    for (const id of ['a', 'b']) t.requestStarted(id);
    t.requestFinished('a');
    t.requestFinished('b');
    t.requestStarted('a'); // a is busy again ...
    t.requestFinished('a'); // ... and now idle more recently than b
    expect(t.admit('n')).toEqual({ admitted: true, evict: { id: 'b', state: 'idle' } });
  });

  it('refuses a new connection only when every open one has a request in flight', () => {
    const t = new ConnectionTable<string>(2);
    for (const id of ['a', 'b']) t.admit(id);
    t.requestStarted('a');
    t.requestStarted('b');
    expect(t.admit('n')).toEqual({ admitted: false });
    expect(t.stateOf('n')).toBeUndefined();
    expect(t.stats()).toEqual({ open: 2, evicted: { unused: 0, idle: 0 }, refused: 1 });
    // Once one is answered, the next newcomer takes its place.
    t.requestFinished('b');
    expect(t.admit('m')).toEqual({ admitted: true, evict: { id: 'b', state: 'idle' } });
  });

  it('counts pipelined requests: busy until the last one is answered', () => {
    const t = new ConnectionTable<string>(1);
    t.admit('a');
    t.requestStarted('a');
    t.requestStarted('a');
    t.requestFinished('a');
    expect(t.stateOf('a')).toBe('busy');
    expect(t.admit('n')).toEqual({ admitted: false });
    t.requestFinished('a');
    expect(t.stateOf('a')).toBe('idle');
  });

  it('forgets closed connections and ignores events of unknown or evicted ones', () => {
    const t = new ConnectionTable<string>(2);
    for (const id of ['a', 'b']) t.admit(id);
    t.closed('a');
    expect(t.open).toBe(1);
    expect(t.admit('c')).toEqual({ admitted: true });
    expect(t.admit('d')).toEqual({ admitted: true, evict: { id: 'b', state: 'unused' } });
    // The evicted b's late events change nothing.
    t.requestStarted('b');
    t.requestFinished('b');
    t.closed('b');
    t.requestFinished('zzz');
    expect(t.stats()).toEqual({ open: 2, evicted: { unused: 1, idle: 0 }, refused: 0 });
    expect(t.admit('c')).toEqual({ admitted: true }); // already in: no change
    expect(t.open).toBe(2);
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => new ConnectionTable(0)).toThrow(RangeError);
    expect(() => new ConnectionTable(1.5)).toThrow(RangeError);
  });
});

describe('capConnections on a real http.Server', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  async function listening(maxConnections: number, slowMs = 0): Promise<{ port: number; stats: ReturnType<typeof capConnections>['stats'] }> {
    server = createServer((req, res) => {
      setTimeout(() => res.end(req.url), req.url === '/slow' ? slowMs : 0);
    });
    const { stats } = capConnections(server, { maxConnections });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return { port: (server.address() as { port: number }).port, stats };
  }

  const open = (port: number): ReturnType<typeof openSocket> => openSocket(port, sockets);

  function get(port: number, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('idle sockets at the cap do not lock a new client out: the oldest idle socket is closed instead', async () => {
    const { port, stats } = await listening(4);
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await open(port));
    await pollUntil('4 connections counted', 5_000, () => Promise.resolve(stats().open === 4 ? true : undefined), 10);
    expect(await get(port, '/lookup')).toEqual({ status: 200, body: '/lookup' });
    await held[0]!.closed; // the oldest never-used one made room
    await pollUntil('the answered connection counted as closed', 5_000, () => Promise.resolve(stats().open === 3 ? true : undefined), 10);
    expect(stats()).toEqual({ open: 3, evicted: { unused: 1, idle: 0 }, refused: 0 });
  });

  it('refuses a new connection while every open one has a request in flight', async () => {
    const { port, stats } = await listening(1, 1_000);
    const slow = get(port, '/slow');
    await pollUntil('the slow request in flight', 5_000, () => Promise.resolve(stats().open === 1 ? true : undefined), 10);
    const refused = await open(port);
    await refused.closed;
    expect(stats().refused).toBe(1);
    expect(await slow).toEqual({ status: 200, body: '/slow' });
  });
});
