import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RightsizeError } from '../../../src/errors/index.js';
import { createEsClient, esClientOptions } from '../../../src/store/index.js';
import { OwnSignalConnection } from '../../../src/store/client.js';

const base = { url: 'https://es.example:9200', requestTimeoutMs: 1234 };

describe('esClientOptions', () => {
  it('passes URL and timeout, the connection that keeps its own signal, and no auth when none is configured', () => {
    expect(esClientOptions(base)).toEqual({ node: 'https://es.example:9200', requestTimeout: 1234, Connection: OwnSignalConnection });
  });

  it('uses an API key, or basic auth', () => {
    expect(esClientOptions({ ...base, apiKey: 'aWQ6a2V5' }).auth).toEqual({ apiKey: 'aWQ6a2V5' });
    expect(esClientOptions({ ...base, username: 'rs', password: 'pw' }).auth).toEqual({ username: 'rs', password: 'pw' });
  });

  it('reads the CA file into tls.ca', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-ca-'));
    const file = join(dir, 'ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const tls = esClientOptions({ ...base, caFile: file }).tls as { ca: Buffer };
    expect(tls.ca.toString('utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('fails with RS_ERR_CONFIG_READ when the CA file cannot be read', () => {
    let caught: unknown;
    try {
      esClientOptions({ ...base, caFile: '/nonexistent/ca.pem' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RightsizeError);
    expect((caught as RightsizeError).code).toBe('RS_ERR_CONFIG_READ');
    expect((caught as RightsizeError).message).toContain('/nonexistent/ca.pem');
  });

  it('builds a client that targets the configured node', async () => {
    const client = createEsClient({ url: 'http://127.0.0.1:9', requestTimeoutMs: 500 });
    expect(client.connectionPool.connections.map((c) => c.url.href)).toEqual(['http://127.0.0.1:9/']);
    await client.close();
  });
});
