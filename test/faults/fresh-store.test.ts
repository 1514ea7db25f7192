/**
 * Fault 6 (issue 15): `analyze` and `serve` (built CLI) on a store where `collect` never ran →
 * the index templates are installed first. Before, only `collect` and the alert engine installed
 * them: `serve` with `alerts.enabled: false` (the API as its own app) stored silences under
 * dynamic mappings (`rule.id` as analysed text, so a rule id such as `nodata-mesos-master` no
 * longer matched as one term), and `analyze` wrote into indices without templates.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { INDEX_KINDS } from '../../src/store/index.js';
import { testEsUrl } from '../support/env.js';
import { pollUntil } from '../support/poll.js';
import { storeFaultFixture } from './support/fixture.js';
import { CLI, CliProcess, say } from './support/processes.js';

const CASE = 'fresh-store';
const run = promisify(execFile);
const ES_URL = testEsUrl();
const WRITE_TOKEN = 'fault-write-token-0123456789';

describe('fault: analyze and serve on a store where collect never ran', () => {
  const { dir, procs, es, prefix: newPrefix } = storeFaultFixture('fresh', ES_URL);

  function config(prefix: string, extra = ''): string {
    const path = join(dir, `${prefix}.yaml`);
    writeFileSync(path, `elasticsearch:\n  url: ${ES_URL}\n  indexPrefix: ${prefix}\n  replicas: 0\napi:\n  port: 0\nalerts:\n  enabled: false\nlog:\n  level: info\n${extra}`);
    return path;
  }

  async function templates(prefix: string): Promise<string[]> {
    const r = await es.indices.getIndexTemplate({ name: `${prefix}-*` }).catch(() => ({ index_templates: [] }));
    return r.index_templates.map((t) => t.name).sort();
  }

  it('analyze installs the templates before it writes', async () => {
    const prefix = newPrefix('fault-fresh-an');
    expect(await templates(prefix)).toEqual([]);
    const r = await run(process.execPath, [CLI, 'analyze', '--config', config(prefix)], { cwd: dir });
    const got = await templates(prefix);
    say(CASE, `analyze on an empty store: exit 0, ${got.length} templates installed (${r.stderr.trim().split('\n')[0]})`);
    expect(got).toEqual(Object.keys(INDEX_KINDS).map((k) => `${prefix}-${k}`).sort());
    // --dry-run writes nothing, so it installs nothing either.
    const dry = newPrefix('fault-fresh-dry');
    await run(process.execPath, [CLI, 'analyze', '--dry-run', '--config', config(dry)], { cwd: dir });
    expect(await templates(dry)).toEqual([]);
  });

  it('serve (alerts disabled) installs the templates, so a silence is stored under their mappings', async () => {
    const prefix = newPrefix('fault-fresh-serve');
    const serve = new CliProcess(['serve', '--config', config(prefix)], { cwd: dir, env: { RIGHTSIZE_API_WRITE_TOKEN: WRITE_TOKEN } });
    procs.push(serve);
    const base = (await serve.waitForLine('the serve address', /listening on (http:\/\/\S+)/, 60_000))[1]!;
    const got = await pollUntil('the templates installed by serve', 60_000, async () => {
      const t = await templates(prefix);
      return t.length === Object.keys(INDEX_KINDS).length ? t : undefined;
    });
    expect(got).toEqual(Object.keys(INDEX_KINDS).map((k) => `${prefix}-${k}`).sort());
    const res = await fetch(`${base}/api/v1/silences`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rule_id: 'nodata-mesos-master', duration_ms: 3_600_000, created_by: 'fault-suite' }),
    });
    expect(res.status).toBe(201);
    const mapping = await es.indices.getMapping({ index: `${prefix}-silences` });
    const props = Object.values(mapping)[0]!.mappings.properties as Record<string, { type?: string; properties?: Record<string, { type?: string }> }>;
    say(CASE, `serve on an empty store: ${got.length} templates installed; the silence's rule.id is mapped as ${props['rule']?.properties?.['id']?.type}`);
    expect(props['rule']?.properties?.['id']?.type).toBe('keyword');
    const hit = await es.count({ index: `${prefix}-silences`, query: { term: { 'rule.id': 'nodata-mesos-master' } } });
    expect(hit.count).toBe(1);
    expect((await serve.stop('SIGTERM')).code).toBe(0);
  });

  it('a silence POSTed the moment serve listens waits for the templates, so rule.id is still keyword', async () => {
    const prefix = newPrefix('fault-fresh-race');
    const serve = new CliProcess(['serve', '--config', config(prefix)], { cwd: dir, env: { RIGHTSIZE_API_WRITE_TOKEN: WRITE_TOKEN } });
    procs.push(serve);
    const base = (await serve.waitForLine('the serve address', /listening on (http:\/\/\S+)/, 60_000))[1]!;
    // No wait for anything: the write goes out as soon as the address is known, and the templates
    // are counted while it is on its way.
    const [post, templatesMeanwhile] = await Promise.all([
      fetch(`${base}/api/v1/silences`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WRITE_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ rule_id: 'nodata-mesos-master', duration_ms: 3_600_000, created_by: 'fault-suite-race' }),
      }).then(async (r) => ({ status: r.status, body: await r.text() })),
      templates(prefix).then((t) => t.length),
    ]);
    const mapping = await es.indices.getMapping({ index: `${prefix}-silences` });
    const props = Object.values(mapping)[0]!.mappings.properties as Record<string, { type?: string; properties?: Record<string, { type?: string }> }>;
    say(CASE, `silence POSTed at once after "listening" (${templatesMeanwhile} of ${Object.keys(INDEX_KINDS).length} templates installed while it was on its way): ${post.status}, rule.id mapped as ${props['rule']?.properties?.['id']?.type}`);
    expect(post.status, post.body).toBe(201);
    expect(props['rule']?.properties?.['id']?.type).toBe('keyword');
    expect((await serve.stop('SIGTERM')).code).toBe(0);
  });
});
