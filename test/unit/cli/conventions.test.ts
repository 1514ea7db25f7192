import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-cli-conventions-'));

describe('CLI conventions', () => {
  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
  });

  it('a bad option value is a usage error (exit 2) naming the option; a runtime error exits 1', async () => {
    const yaml = await runCli(['analyze', '--from', 'x.ndjson', '--print', '--format', 'yaml']);
    expect(yaml.code).toBe(2);
    expect(yaml.err).toContain('--format');
    expect(yaml.err).toContain('yaml');
    const jobs = await runCli(['trace', 'generate', '--jobs', 'many']);
    expect(jobs.code).toBe(2);
    expect(jobs.err).toContain('--jobs');
    const unknown = await runCli(['analyze', '--frobnicate']);
    expect(unknown.code).toBe(2);
    const missing = await runCli(['replay', '--trace', join(dir, 'missing.ndjson')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('RS_ERR_TRACE_READ');
  });

  it('trace generate writes to stdout without --out; analyze --from - and a .ndjson.gz read the same builds', async () => {
    const gen = await runCli(['trace', 'generate', '--jobs', '6', '--builds-per-job', '12', '--seed', '3']);
    expect(gen.code).toBe(0);
    expect(gen.out.trim().split('\n')).toHaveLength(72);
    expect(gen.err).toContain('wrote 72 builds documents to standard output');
    const file = join(dir, 't.ndjson');
    writeFileSync(file, gen.out);
    writeFileSync(join(dir, 't.ndjson.gz'), gzipSync(gen.out));
    const fromFile = await runCli(['analyze', '--from', file, '--print']);
    const fromStdin = await runCli(['analyze', '--from', '-', '--print'], {}, gen.out);
    const fromGz = await runCli(['analyze', '--from', join(dir, 't.ndjson.gz'), '--print']);
    const gzStdin = await runCli(['replay', '--trace', '-', '--format', 'json', '--resamples', '10'], {}, gzipSync(gen.out));
    expect(fromFile.code).toBe(0);
    expect(fromFile.out.trim().split('\n')).toHaveLength(6);
    expect(fromStdin.out).toBe(fromFile.out);
    expect(fromGz.out).toBe(fromFile.out);
    expect(gzStdin.code).toBe(0);
    expect((JSON.parse(gzStdin.out) as { policies: unknown[] }).policies.length).toBe(6);
  });

  it('analyze --plan --plan-out writes the JCasC YAML to the file and only commentary to stderr', async () => {
    const gen = await runCli(['trace', 'generate', '--jobs', '8', '--builds-per-job', '12', '--seed', '4']);
    const planFile = join(dir, 'plan.yaml');
    const r = await runCli(['analyze', '--from', '-', '--print', '--plan', '2', '--plan-out', planFile], {}, gen.out);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(readFileSync(planFile, 'utf8')).toContain('slaveInfos:');
    expect(r.err).toContain('jobs to move');
    const noPlan = await runCli(['analyze', '--from', '-', '--print', '--plan-out', planFile], {}, gen.out);
    expect(noPlan.code).toBe(2);
  });

  it('--log-level is a global option with pino levels', async () => {
    expect((await runCli(['--log-level', 'loud', 'config', 'show'])).code).toBe(2);
    const r = await runCli(['--log-level', 'debug', 'config', 'show']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { log: { level: string } }).log.level).toBe('debug');
  });

  it('config check names a misspelt key and the keys allowed there', async () => {
    const cfg = join(dir, 'typo.yaml');
    writeFileSync(cfg, 'analysis:\n  windowDay: 14\n');
    const r = await runCli(['config', 'check', '-c', cfg]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\/analysis\/windowDay: unknown key \(allowed: [^)]*windowDays/);
  });
});
