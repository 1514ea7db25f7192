import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { afterEach, describe, expect, it } from 'vitest';
import { RightsizeError } from '../../src/errors/index.js';
import { searchBuildUsage } from '../../src/store/queries/index.js';
import { freePort } from '../unit/store/fakeEs.js';

// Issue 14 item 1 and "Also": the client's ConnectionError / TimeoutError / RequestAbortedError
// carry statusCode 0, which wrapEsError used to read as a 4xx-like refusal (RS_ERR_STORE_REJECTED):
// the build summarizer then dropped builds for good while Elasticsearch was merely down or slow.
const query = { prefix: 'rs', jobName: 'j', buildNumber: 1, startMs: Date.UTC(2026, 10, 1), endMs: Date.UTC(2026, 10, 1, 0, 1), afterEndMs: 10_000 };

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RightsizeError);
    return (err as RightsizeError).code;
  }
  throw new Error('expected a rejection');
}

describe('regression: a store that does not answer is not "rejected"', () => {
  it('a refused connection is RS_ERR_STORE_UNREACHABLE', async () => {
    const client = new Client({ node: `http://127.0.0.1:${await freePort()}`, requestTimeout: 2_000, maxRetries: 0 });
    closers.push(() => client.close());
    expect(await codeOf(searchBuildUsage(client, query))).toBe('RS_ERR_STORE_UNREACHABLE');
  });

  it('a request timeout and an aborted request are RS_ERR_STORE_TIMEOUT', async () => {
    const server: Server = createServer(() => undefined); // accepts and never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
    const client = new Client({ node: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requestTimeout: 200, maxRetries: 0 });
    closers.push(() => client.close());
    expect(await codeOf(searchBuildUsage(client, query))).toBe('RS_ERR_STORE_TIMEOUT');
    expect(await codeOf(searchBuildUsage(client, query, AbortSignal.timeout(100)))).toBe('RS_ERR_STORE_TIMEOUT');
  });

  it('a 400 answer is still RS_ERR_STORE_REJECTED', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(JSON.stringify({ error: { type: 'parsing_exception', reason: 'bad' }, status: 400 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => server.close(r)));
    const client = new Client({ node: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxRetries: 0 });
    closers.push(() => client.close());
    expect(await codeOf(searchBuildUsage(client, query))).toBe('RS_ERR_STORE_REJECTED');
  });
});
