/**
 * Fault case 5, configuration: `validateConfig` and `loadConfig` fed random objects, mutated valid
 * configurations, hostile keys (`__proto__`, `constructor`, `prototype`) at any depth, huge and
 * NaN-ish numbers, and random or truncated YAML files. Whatever the input, the answer is a frozen
 * Config or a ConfigError (code `RS_ERR_CONFIG_INVALID`, every problem with a path); never a
 * TypeError or another raw exception, and never a polluted prototype.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, validateConfig, type Config } from '../../../src/config/index.js';
import { ConfigError, RightsizeError } from '../../../src/errors/index.js';
import { REPO_ROOT } from '../../support/env.js';
import { FUZZ_SEED, fuzz, hostileJson, hostileValue, mutatedOneOf, ownObject, pathsOf, runsDone, truncatedBytes } from './support.js';

const EXAMPLE_YAML = readFileSync(join(REPO_ROOT, 'deploy/examples/rightsize.yaml'), 'utf8');
const EXAMPLE = parseYaml(EXAMPLE_YAML) as unknown;
/** A configuration using the parts the example leaves out: overrides, rules, labels, webhooks. */
const RICH = {
  elasticsearch: { url: 'http://127.0.0.1:9200', indexPrefix: 'rs' },
  docker: { hosts: ['unix:///var/run/docker.sock', 'tcp://10.0.0.1:2375'], intervalMs: 5000, timeoutMs: 2000 },
  analysis: {
    overrides: [
      { name: 'release', match: { job: 'release/**' }, memory: { minBytes: '4GiB', headroom: 0.5 }, cpu: { minCores: 1 } },
      { match: { label: ['docker-*', 'big'] }, exclude: true },
    ],
  },
  receivers: { hook: { webhook: { url: 'https://hooks.example/x' } } },
  alerts: {
    defaultReceivers: ['hook'],
    rules: [
      { id: 'cpu-high', name: 'CPU high', kind: 'threshold', dataset: 'mesos.master', field: 'cpu.percent', threshold: 0.9, window: '10m', labels: { team: 'ci' } },
      { id: 'quiet', name: 'Quiet', kind: 'nodata', dataset: 'jenkins.queue', after: '30m' },
    ],
  },
};
const BASES = [EXAMPLE, RICH];

/** Object.prototype and Array.prototype as they were before any input was read. */
const PROTO_KEYS = [Object.getOwnPropertyNames(Object.prototype).sort().join(','), Object.getOwnPropertyNames(Array.prototype).sort().join(',')];

/** The one acceptable outcome of a validation: a frozen Config, or a ConfigError with paths. */
function outcome(run: () => Config): 'config' | ConfigError {
  let config: Config;
  try {
    config = run();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`raw exception escaped: ${String(err instanceof Error ? `${err.name}: ${err.message}` : err)}`, { cause: err });
    expect(err.code).toBe('RS_ERR_CONFIG_INVALID');
    expect(err.problems.length).toBeGreaterThan(0);
    for (const p of err.problems) {
      expect(p.path).toMatch(/^\//);
      expect(typeof p.message).toBe('string');
    }
    return err;
  }
  expect(Object.isFrozen(config)).toBe(true);
  expect(Object.isFrozen(config.analysis)).toBe(true);
  return 'config';
}

function checkPrototypes(): void {
  expect([Object.getOwnPropertyNames(Object.prototype).sort().join(','), Object.getOwnPropertyNames(Array.prototype).sort().join(',')]).toEqual(PROTO_KEYS);
  expect(({} as Record<string, unknown>)['x']).toBeUndefined();
}

/** `base` with `key` (one of the hostile ones) added as an own key of the object at `pick`. */
function withHostileKey(base: unknown, pick: number, key: string, value: unknown): { readonly raw: unknown; readonly path: string } {
  const clone = structuredClone(base);
  const objects = [[] as ReadonlyArray<string | number>, ...pathsOf(clone)].filter((p) => {
    const v = p.reduce<unknown>((o, s) => (o as Record<string | number, unknown>)[s], clone);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  });
  const path = objects[pick % objects.length]!;
  const target = path.reduce<unknown>((o, s) => (o as Record<string | number, unknown>)[s], clone) as Record<string, unknown>;
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return { raw: clone, path: `/${[...path, key].join('/')}` };
}

describe('configuration under fuzz (fault case 5)', () => {
  afterAll(() => {
    process.stdout.write(`[fuzz config] seed ${FUZZ_SEED}, ${runsDone.count} runs\n`);
  });

  it('the bases are valid configurations (so mutations start from something accepted)', () => {
    for (const b of BASES) expect(outcome(() => validateConfig(b))).toBe('config');
  });

  it('random hostile JSON as the whole configuration → a Config or a ConfigError, never a raw exception', () => {
    fuzz(
      fc.property(hostileJson, (raw) => {
        outcome(() => validateConfig(raw));
        checkPrototypes();
      }),
      300,
    );
  });

  it('hostile JSON as any one section → a ConfigError or a Config', () => {
    const sections = ['elasticsearch', 'docker', 'mesos', 'jenkins', 'collect', 'analysis', 'api', 'kibana', 'report', 'alerts', 'receivers', 'log'];
    fuzz(
      fc.property(fc.constantFrom(...sections), hostileJson, (section, value) => {
        outcome(() => validateConfig(ownObject([[section, value]])));
        checkPrototypes();
      }),
      300,
    );
  });

  it('mutated valid configurations (fields deleted, hostile values, hostile keys) → a Config or a ConfigError', () => {
    fuzz(
      fc.property(mutatedOneOf(BASES, 5), (raw) => {
        outcome(() => validateConfig(raw));
        checkPrototypes();
      }),
      400,
    );
  });

  it('__proto__, constructor or prototype as a key at any depth → a ConfigError naming that path', () => {
    fuzz(
      fc.property(fc.constantFrom(...BASES), fc.nat(), fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.oneof(fc.constant({}), hostileJson), (base, pick, key, value) => {
        const { raw, path } = withHostileKey(base, pick, key, value);
        const r = outcome(() => validateConfig(raw));
        expect(r).toBeInstanceOf(ConfigError);
        expect((r as ConfigError).problems.map((p) => p.path)).toContain(path);
        checkPrototypes();
      }),
      300,
    );
  });

  it('huge, fractional and NaN-ish values in the numeric and size fields → a ConfigError or a Config with finite numbers', () => {
    const fields: ReadonlyArray<readonly string[]> = [
      ['docker', 'intervalMs'],
      ['docker', 'timeoutMs'],
      ['mesos', 'intervalMs'],
      ['jenkins', 'intervalMs'],
      ['api', 'port'],
      ['elasticsearch', 'shards'],
      ['analysis', 'windowDays'],
      ['analysis', 'maxBuilds'],
      ['analysis', 'cpu', 'capCores'],
      ['analysis', 'memory', 'capBytes'],
      ['analysis', 'memory', 'headroomBytes'],
      ['analysis', 'prices', 'perCoreHour'],
      ['alerts', 'defaultInterval'],
    ];
    fuzz(
      fc.property(fc.constantFrom(...BASES), fc.constantFrom(...fields), hostileValue, (base, path, value) => {
        const raw = structuredClone(base) as Record<string, unknown>;
        let node = raw;
        for (const k of path.slice(0, -1)) {
          if (node[k] === undefined || node[k] === null || typeof node[k] !== 'object') node[k] = {};
          node = node[k] as Record<string, unknown>;
        }
        node[path[path.length - 1]!] = value;
        if (outcome(() => validateConfig(raw)) !== 'config') return;
        const walk = (v: unknown): void => {
          if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
          else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
        };
        walk(validateConfig(raw));
      }),
      400,
    );
  });

  it('random, truncated and hostile YAML files, hostile environment overrides → loadConfig gives a Config, a ConfigError or RS_ERR_CONFIG_READ', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rightsize-fuzz-config-'));
    const file = join(dir, 'rightsize.yaml');
    const text = fc.oneof(
      truncatedBytes(EXAMPLE_YAML).map((b) => b.toString('utf8')),
      fc.string({ unit: 'binary', maxLength: 300 }),
      mutatedOneOf(BASES).map((v) => JSON.stringify(v) ?? 'null'),
      fc.constantFrom('a: &a [*a]', '__proto__: {polluted: 1}', 'analysis: {overrides: {__proto__: {}}}', '!!binary AAAA', '- 1\n- 2', '"\\ud800"', 'docker: {intervalMs: .nan}', 'docker: {intervalMs: .inf}', 'api: {port: 0x10000}'),
    );
    const env = fc.dictionary(fc.constantFrom('RIGHTSIZE_ES_URL', 'RIGHTSIZE_JENKINS_URL', 'RIGHTSIZE_LOG_LEVEL', 'RIGHTSIZE_INDEX_PREFIX', 'RIGHTSIZE_KIBANA_URL'), fc.oneof(fc.constantFrom('NaN', 'Infinity', '-1', '1e999', '__proto__', 'http://[::1', ''), fc.string({ maxLength: 30 })));
    try {
      fuzz(
        fc.property(text, env, (yaml, vars) => {
          writeFileSync(file, yaml);
          try {
            outcome(() => loadConfig({ file, env: vars }).config);
          } catch (err) {
            if (!(err instanceof RightsizeError && err.code === 'RS_ERR_CONFIG_READ')) throw err;
          }
          checkPrototypes();
        }),
        300,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('regression: analysis.overrides as {"__proto__":{}} is a ConfigError naming /analysis/overrides/__proto__ (was a TypeError from Value.Default)', () => {
    const r = outcome(() => validateConfig(JSON.parse('{"analysis":{"overrides":{"__proto__":{}}}}')));
    expect(r).toBeInstanceOf(ConfigError);
    expect((r as ConfigError).problems.map((p) => p.path)).toContain('/analysis/overrides/__proto__');
  });
});
