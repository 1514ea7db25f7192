import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const run = runCli;

describe('rightsize config check', () => {
  it('exits 0 on a valid file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-cli-'));
    writeFileSync(join(dir, 'ok.yaml'), 'docker:\n  intervalMs: 5000\n');
    const r = await run(['config', 'check', '--config', join(dir, 'ok.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/is valid/);
  });

  it('lists every problem and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'docker:\n  intervalMs: -1\n  hostz: []\nelasticsearch:\n  replicas: lots\n');
    const r = await run(['config', 'check', '--config', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('RS_ERR_CONFIG_INVALID');
    expect(r.err).toContain('/docker/intervalMs');
    expect(r.err).toContain('/docker/hostz');
    expect(r.err).toContain('/elasticsearch/replicas');
  });

  it('prints help for every command', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toContain('config');
    const sub = await run(['config', 'check', '--help']);
    expect(sub.out).toContain('--config');
  });

  it('config show masks the API bearer tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-cli-'));
    writeFileSync(join(dir, 'rightsize.yaml'), 'api:\n  readTokens: [read-secret-0123456789]\n  writeTokens: [write-secret-0123456789]\n');
    const r = await run(['config', 'show', '--config', join(dir, 'rightsize.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('secret-0123456789');
    expect((JSON.parse(r.out) as { api: { readTokens: string[]; writeTokens: string[] } }).api).toMatchObject({ readTokens: ['***'], writeTokens: ['***'] });
  });

  it('exits 2 on an unknown command', async () => {
    expect((await run(['nope'])).code).toBe(2);
  });
});
