import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKibana, type FakeKibana } from '../../support/kibanaServer.js';
import { runCli } from '../../support/cli.js';
import { buildSavedObjects } from '../../../src/dashboards/index.js';

describe('rightsize dashboards import (against a server that answers as Kibana documents)', () => {
  let kibana: FakeKibana;
  beforeEach(async () => {
    kibana = await startFakeKibana();
  });
  afterEach(async () => {
    await kibana.close();
  });
  const auth = { RIGHTSIZE_KIBANA_API_KEY: 'test-api-key' };
  const total = buildSavedObjects('rightsize').length;

  it('posts the NDJSON as the multipart field `file` with kbn-xsrf and the API key, and prints what was created', async () => {
    const run = await runCli(['dashboards', 'import', '--kibana-url', kibana.url], auth);
    expect(run.code).toBe(0);
    const req = kibana.seen[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/api/saved_objects/_import');
    expect(req?.overwrite).toBe(false);
    expect(req?.headers['kbn-xsrf']).toBeDefined();
    expect(req?.headers['authorization']).toBe('ApiKey test-api-key');
    expect(req?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req?.fileName).toMatch(/\.ndjson$/);
    expect(req?.objects).toHaveLength(total);
    expect(run.out.split('\n').filter((l) => l.startsWith('created ')).length).toBe(total);
    expect(run.out).toContain('created dashboard rightsize-dashboard-cluster-capacity "[rightsize] Cluster capacity"');
    expect(run.err).toContain(`${total} imported, 0 failed`);
  });

  it('uses the space path and ?overwrite=true, and reports overwritten objects', async () => {
    expect((await runCli(['dashboards', 'import', '--kibana-url', kibana.url, '--space', 'ci-team'], auth)).code).toBe(0);
    const again = await runCli(['dashboards', 'import', '--kibana-url', kibana.url, '--space', 'ci-team', '--overwrite'], auth);
    expect(again.code).toBe(0);
    expect(kibana.seen[1]?.path).toBe('/s/ci-team/api/saved_objects/_import');
    expect(kibana.seen[1]?.overwrite).toBe(true);
    expect(again.out.split('\n').filter((l) => l.startsWith('overwritten ')).length).toBe(total);
  });

  it('reports a partial failure (HTTP 200 with errors) object by object and exits non-zero', async () => {
    expect((await runCli(['dashboards', 'import', '--kibana-url', kibana.url], auth)).code).toBe(0);
    kibana.unsupportedTypes.add('lens');
    kibana.store.get('default')?.delete('dashboard/rightsize-dashboard-alerts');
    const run = await runCli(['dashboards', 'import', '--kibana-url', kibana.url], auth);
    expect(run.code).toBe(1);
    expect(run.out).toContain('failed lens rightsize-lens-alerts-by-rule "[rightsize] Alerts: Alert events by rule": unsupported_type');
    expect(run.out).toContain('failed index-pattern rightsize-dv-containers "rightsize-containers-*": conflict');
    expect(run.out).toContain('created dashboard rightsize-dashboard-alerts');
    expect(run.err).toContain('error RS_ERR_KIBANA_IMPORT');
  });

  it('reports missing references with the objects that are missing', async () => {
    const one = buildSavedObjects('rightsize').filter((o) => o.type === 'dashboard').slice(0, 1);
    const file = join(mkdtempSync(join(tmpdir(), 'rs-dash-')), 'one.ndjson');
    writeFileSync(file, one.map((o) => JSON.stringify(o)).join('\n') + '\n');
    const run = await runCli(['dashboards', 'import', '--kibana-url', kibana.url, '--file', file], auth);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/failed dashboard rightsize-dashboard-cluster-capacity "\[rightsize\] Cluster capacity": missing_references \(missing: lens\/rightsize-lens-cluster-capacity-cpu-allocated/);
  });

  it('sends basic auth from the URL userinfo or from config, and a 401 is a coded error that names the status', async () => {
    const u = new URL(kibana.url);
    const withUser = `http://elastic:changeme@${u.host}`;
    const ok = await runCli(['dashboards', 'import', '--kibana-url', withUser]);
    expect(ok.code).toBe(0);
    expect(ok.err).not.toContain('changeme');
    const bad = await runCli(['dashboards', 'import', '--kibana-url', kibana.url], { RIGHTSIZE_KIBANA_USERNAME: 'elastic', RIGHTSIZE_KIBANA_PASSWORD: 'wrong' });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('RS_ERR_KIBANA_IMPORT');
    expect(bad.err).toContain('401');
    expect(bad.err).not.toContain('wrong');
  });

  it('follows the configured index prefix: the data views it uploads point at that prefix', async () => {
    const run = await runCli(['dashboards', 'import', '--kibana-url', kibana.url], { ...auth, RIGHTSIZE_INDEX_PREFIX: 'acme' });
    expect(run.code).toBe(0);
    const titles = (kibana.seen[0]?.objects ?? []).filter((o) => o['type'] === 'index-pattern').map((o) => (o['attributes'] as { title: string }).title);
    expect(titles).toContain('acme-builds-*');
    expect(titles.every((t) => t.startsWith('acme-'))).toBe(true);
  });

  it('fails clearly when Kibana cannot be reached or no URL is given', async () => {
    await kibana.close();
    const down = await runCli(['dashboards', 'import', '--kibana-url', kibana.url], auth);
    expect(down.code).toBe(1);
    expect(down.err).toContain('RS_ERR_KIBANA_UNREACHABLE');
    kibana = await startFakeKibana();
    const none = await runCli(['dashboards', 'import'], auth);
    expect(none.err).toContain('no Kibana URL');
    expect(none.code).not.toBe(0);
  });
});

describe('rightsize dashboards export --check', () => {
  it('passes on the committed file and fails on a stale one', async () => {
    expect((await runCli(['dashboards', 'export', '--check'])).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'rs-dash-'));
    writeFileSync(join(dir, 'rightsize.ndjson'), '{}\n');
    const stale = await runCli(['dashboards', 'export', '--check', '--out', dir]);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('RS_ERR_DASHBOARDS_STALE');
  });
});
