import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jenkinsCollectorFromConfig } from '../../../../src/collectors/jenkins/index.js';
import { validateConfig } from '../../../../src/config/index.js';
import { fakeServer, json, type FakeServer } from '../http/fakeServer.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('jenkinsCollectorFromConfig', () => {
  it('reads the token from tokenFile and sends user + token as basic auth', async () => {
    const seen: Array<string | undefined> = [];
    const s = await fakeServer();
    servers.push(s);
    for (const path of ['/queue/api/json', '/computer/api/json', '/api/json']) {
      const inner = json(path === '/queue/api/json' ? { items: [] } : path === '/api/json' ? { jobs: [] } : { computer: [] });
      s.routes.set(path, (req, res) => {
        seen.push(req.headers.authorization);
        inner(req, res);
      });
    }
    const dir = mkdtempSync(join(tmpdir(), 'rs-jenkins-'));
    try {
      writeFileSync(join(dir, 'token'), 'tok-from-file\n');
      const c = jenkinsCollectorFromConfig(validateConfig({ jenkins: { url: s.url, username: 'bot', tokenFile: join(dir, 'token') } }), { env: {} })!;
      const r = await c.collect(new AbortController().signal);
      expect(r.errors).toEqual([]);
      expect(new Set(seen)).toEqual(new Set(['Basic ' + Buffer.from('bot:tok-from-file').toString('base64')]));
      expect(c.target).toBe(`jenkins ${s.url}/`);
      await c.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no jenkins.url: no collector', () => {
    expect(jenkinsCollectorFromConfig(validateConfig({}), { env: {} })).toBeUndefined();
  });
});
