import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors/index.js';

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills defaults and freezes the result', () => {
    const c = validateConfig({});
    expect(c.elasticsearch.url).toBe('http://127.0.0.1:9200');
    expect(c.elasticsearch.indexPrefix).toBe('rightsize');
    expect(c.docker.intervalMs).toBe(10_000);
    expect(Object.isFrozen(c.elasticsearch.bulk)).toBe(true);
  });

  it('lists every problem at once with its path, unknown keys included', () => {
    const problems = problemsOf(() =>
      validateConfig({ elasticsearch: { url: 5, bulk: { concurrency: 0 }, typo: true }, extra: 1 }),
    );
    const paths = problems.map((p) => p.path).sort();
    expect(paths).toEqual(['/elasticsearch/bulk/concurrency', '/elasticsearch/typo', '/elasticsearch/url', '/extra']);
  });

  it('rejects invalid combinations by key', () => {
    const problems = problemsOf(() => validateConfig({ elasticsearch: { apiKey: 'k', username: 'u', password: 'p' } }));
    expect(problems.map((p) => p.path)).toContain('/elasticsearch/apiKey');
    expect(problemsOf(() => validateConfig({ docker: { hosts: ['ftp://x'] } }))[0]?.path).toBe('/docker/hosts/0');
  });

  it('reads YAML, then env overrides secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-config-'));
    const file = join(dir, 'rightsize.yaml');
    writeFileSync(file, 'elasticsearch:\n  url: https://es.example:9200\n  indexPrefix: ci\n');
    const { config, source } = loadConfig({ file, env: { RIGHTSIZE_ES_API_KEY: 'abc' } });
    expect(source).toBe(file);
    expect(config.elasticsearch.url).toBe('https://es.example:9200');
    expect(config.elasticsearch.indexPrefix).toBe('ci');
    expect(config.elasticsearch.apiKey).toBe('abc');
  });

  it('reports malformed YAML and unreadable files with codes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'elasticsearch: [unclosed\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} })).toThrow(/cannot read config file/);
  });
});

describe('docs/configuration.md', () => {
  it('is generated from the current schema (run `npx tsx scripts/gen-config-doc.ts`)', async () => {
    const { readFileSync } = await import('node:fs');
    const { renderConfigDoc } = await import('../../../src/config/index.js');
    expect(readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')).toBe(renderConfigDoc());
  });
});

describe('config timeouts', () => {
  it('rejects a request timeout longer than its poll interval', () => {
    expect(() => validateConfig({ jenkins: { intervalMs: 5000 } })).toThrow(/jenkins\/timeoutMs/);
    expect(validateConfig({ jenkins: { intervalMs: 5000, timeoutMs: 4000 } }).jenkins.timeoutMs).toBe(4000);
  });
});
