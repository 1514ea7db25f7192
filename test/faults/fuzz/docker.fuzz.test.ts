/**
 * Fault case 5, Docker: the list, inspect, stats, info and events parsers, and the
 * `docker.container` documents built from them, fed random, mutated, truncated and hostile bodies.
 * The valid bodies are the engine recordings in test/fixtures/docker/recorded and, when present,
 * the real captures in ../shared/real-captures/docker (read here, never copied).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  containerCpuCores,
  exitFromEvents,
  exitFromInspect,
  MAX_HOST_CPUS,
  MAX_MEMORY_BYTES,
  parseContainerList,
  parseEngineInfo,
  parseExitEvents,
  parseInspect,
  parseStartEvents,
  parseStatsReading,
  startedBetween,
  toContainerDoc,
  toExitDoc,
} from '../../../src/collectors/docker/index.js';
import type { ContainerDoc } from '../../../src/model/index.js';
import { REPO_ROOT } from '../../support/env.js';
import { decodeBody, FUZZ_SEED, hostileJson, hostileValue, mutatedOneOf, expectSaneNumbers, plainData, realCaptures, runsDone, truncatedBytes, fuzz } from './support.js';

const NOW = Date.parse('2026-11-22T03:00:00Z');
const recorded = (name: string): unknown => JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/docker/recorded', name), 'utf8')) as unknown;
const shared = realCaptures('docker');
const byPrefix = (prefix: string): unknown[] => shared.filter((c) => c.name.startsWith(prefix)).map((c) => c.body);

const ID = 'f2ff7e59b781e02db22139290d49b156662b1576f4bc8e1231762f38565bb5d8';
const STATS = [recorded('stats_oneshot_1.json'), recorded('stats_oneshot_2.json'), recorded('stats_with_precpu.json'), recorded('stats_exited.json'), ...byPrefix('stats_')];
const INSPECTS = [recorded('inspect.json'), recorded('inspect_oomkilled.json'), ...byPrefix('container_inspect')];
const LISTS = [recorded('containers_list.json'), ...byPrefix('containers_json')];
const INFO = { Name: 'docker-host-1', NCPU: 2, MemTotal: 25_000_000_000 };
const EVENTS = [
  `{"status":"start","id":"${ID}","Type":"container","Action":"start","Actor":{"ID":"${ID}","Attributes":{"name":"job"}},"time":1795318260,"timeNano":1795318260057537285}`,
  `{"status":"oom","id":"${ID}","Type":"container","Action":"oom","Actor":{"ID":"${ID}"},"timeNano":1795318261000000000}`,
  `{"status":"die","id":"${ID}","Type":"container","Action":"die","Actor":{"ID":"${ID}","Attributes":{"exitCode":"137"}},"timeNano":1795318261000000100}`,
];

/** The numbers of a container document that may be negative: none but the process's exit code. */
const SIGNED = ['container.exit_code'];

function checkDoc(doc: ContainerDoc): void {
  expectSaneNumbers(doc, SIGNED);
  expect(plainData(doc)).toBe(true);
  expect(Number.isNaN(Date.parse(doc['@timestamp']))).toBe(false);
  const cores = doc.cpu?.cores;
  if (cores !== undefined) expect(cores).toBeLessThanOrEqual(MAX_HOST_CPUS * 1.05);
  for (const v of Object.values(doc.memory ?? {})) expect(v).toBeLessThanOrEqual(2 ** 62);
  for (const k of ['working_set_bytes', 'rss_bytes', 'usage_bytes', 'peak_bytes'] as const) {
    const v = doc.memory?.[k];
    if (v !== undefined) expect(v).toBeLessThanOrEqual(MAX_MEMORY_BYTES);
  }
}

/** Every error a parser returns is data with a stable code. */
function checkErrors(errors: ReadonlyArray<{ readonly code: string }>): void {
  for (const e of errors) expect(['RS_ERR_PARSE_SHAPE', 'RS_ERR_PARSE_RANGE']).toContain(e.code);
}

describe('docker parsers under fuzz (fault case 5)', () => {
  afterAll(() => {
    process.stdout.write(`[fuzz docker] seed ${FUZZ_SEED}, ${runsDone.count} runs, ${shared.length} real captures read\n`);
  });

  it('hostile JSON (keys __proto__/constructor, NaN, huge numbers) into every parser: no throw, errors as data', () => {
    fuzz(
      fc.property(hostileJson, (body) => {
        for (const r of [parseContainerList(body), parseInspect(body), parseStatsReading(body), parseEngineInfo(body)]) checkErrors(r.errors);
        if (typeof body === 'string') {
          parseStartEvents(body);
          parseExitEvents(body);
        }
      }),
      400,
    );
  });

  it('mutated stats pairs + mutated inspect + list + info → the document holds only finite, non-negative, whole bytes and ms', () => {
    fuzz(
      fc.property(mutatedOneOf(STATS), mutatedOneOf(STATS), mutatedOneOf(INSPECTS), mutatedOneOf(LISTS), fc.integer({ min: 0, max: 120_000 }), (a, b, insp, list, observedMs) => {
        const prev = parseStatsReading(a);
        const cur = parseStatsReading(b);
        const inspect = parseInspect(insp);
        const listed = parseContainerList(list);
        for (const r of [prev, cur, inspect, listed]) checkErrors(r.errors);
        const info = inspect.value;
        if (info !== undefined) {
          expectSaneNumbers(info, ['exitCode']);
          if (info.exitCode !== undefined) expect(Number.isInteger(info.exitCode) && info.exitCode >= -(2 ** 31) && info.exitCode < 2 ** 32).toBe(true);
          const exit = exitFromInspect(info);
          if (exit !== undefined) checkDoc(toExitDoc({ containerId: ID, exit, endpoint: 'unix:///x', inspect: info }));
        }
        if (cur.value?.status !== 'running') return;
        const p = prev.value?.status === 'running' ? prev.value : undefined;
        const cpu = containerCpuCores(p?.cpu ?? cur.value.previous, cur.value.cpu, {
          observedIntervalMs: observedMs,
          ...(info?.cpuLimitCores !== undefined && { limitCores: info.cpuLimitCores }),
        });
        if (cpu.ok) expect(Number.isFinite(cpu.cores) && cpu.cores >= 0 && cpu.intervalMs > 0).toBe(true);
        const doc = toContainerDoc({
          containerId: ID,
          reading: cur.value,
          cpu,
          ...(info !== undefined && { inspect: info }),
          ...(listed.value?.[0] !== undefined && { listed: listed.value[0] }),
          nowMs: NOW,
          endpoint: 'unix:///var/run/docker.sock',
          ...(p?.memory?.peakBytes !== undefined && { previousMaxUsageBytes: p.memory.peakBytes }),
        });
        checkDoc(doc);
      }),
      400,
    );
  });

  it('list entries: every id kept is hex (it goes into a URL), names and images capped', () => {
    fuzz(
      fc.property(mutatedOneOf(LISTS, 6), (body) => {
        const r = parseContainerList(body);
        for (const c of r.value ?? []) {
          expect(c.id).toMatch(/^[0-9a-f]{12,64}$/i);
          expect((c.name ?? '').length).toBeLessThanOrEqual(1024);
          expect((c.imageName ?? '').length).toBeLessThanOrEqual(1024);
        }
      }),
      300,
    );
  });

  it('info: a mutated /info gives a capped host name or none', () => {
    fuzz(
      fc.property(mutatedOneOf([INFO]), (body) => {
        const r = parseEngineInfo(body);
        checkErrors(r.errors);
        if (r.value.hostName !== undefined) expect(typeof r.value.hostName === 'string' && r.value.hostName.length <= 255).toBe(true);
      }),
      200,
    );
  });

  it('events: mutated lines, random text and truncated byte prefixes never throw; instants and exit codes are whole numbers', () => {
    const line = fc.oneof(
      fc.constantFrom(...EVENTS),
      mutatedOneOf(EVENTS.map((e) => JSON.parse(e) as unknown)).map((v) => JSON.stringify(v) ?? ''),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fuzz(
      fc.property(fc.array(line, { maxLength: 6 }), fc.nat(), (lines, cut) => {
        const full = lines.join('\n');
        const bytes = Buffer.from(full, 'utf8');
        for (const body of [full, new TextDecoder().decode(bytes.subarray(0, cut % (bytes.length + 1)))]) {
          const starts = parseStartEvents(body).value;
          const exits = parseExitEvents(body).value;
          for (const e of [...starts, ...exits]) {
            expect(Number.isSafeInteger(e.at.epochMs) && e.at.epochMs >= 0).toBe(true);
            expect(Number.isInteger(e.at.subMsNs) && e.at.subMsNs >= 0 && e.at.subMsNs < 1e6).toBe(true);
          }
          for (const e of exits) if (e.exitCode !== undefined) expect(Number.isInteger(e.exitCode) && e.exitCode >= -(2 ** 31) && e.exitCode < 2 ** 32).toBe(true);
          const exit = exitFromEvents(exits, ID);
          if (exit !== undefined) checkDoc(toExitDoc({ containerId: ID, exit, endpoint: 'unix:///x' }));
          startedBetween(starts, ID, { epochMs: 0, subMsNs: 0 }, { epochMs: NOW, subMsNs: 0 });
        }
      }),
      300,
    );
  });

  it('online_cpus of any value → a reading whose CPU count (this one and precpu) is a whole number in 1..MAX_HOST_CPUS, or none', () => {
    fuzz(
      fc.property(fc.constantFrom(...STATS), fc.oneof(hostileValue, fc.double({ min: 0, max: 64 })), fc.boolean(), (base, online, pre) => {
        const body = structuredClone(base) as Record<string, Record<string, unknown> | undefined>;
        const section = body[pre ? 'precpu_stats' : 'cpu_stats'];
        if (section === undefined || section === null || typeof section !== 'object') return;
        section['online_cpus'] = online;
        const r = parseStatsReading(body);
        checkErrors(r.errors);
        if (r.value?.status !== 'running') return;
        for (const n of [r.value.cpu.onlineCpus, r.value.previous?.onlineCpus]) if (n !== undefined) expect(Number.isInteger(n) && n >= 1 && n <= MAX_HOST_CPUS).toBe(true);
      }),
      300,
    );
  });

  it('events: timeNano is the top-level field of the event, never a "timeNano" nested in Actor or Attributes', () => {
    const nested = fc.constantFrom('Actor', 'Attributes');
    fuzz(
      fc.property(fc.constantFrom(...EVENTS), nested, fc.bigInt({ min: 10n ** 18n, max: 2n * 10n ** 18n }), fc.boolean(), (line, where, decoy, keepTop) => {
        const ev = JSON.parse(line) as Record<string, unknown> & { Actor: Record<string, unknown> };
        const top = /"timeNano":(\d+)/.exec(line)![1]!;
        const actor = { ...ev.Actor };
        if (where === 'Actor') actor['timeNano'] = 0;
        else actor['Attributes'] = { ...(actor['Attributes'] as object), timeNano: 0 };
        // the decoy first in the text, the top-level field after it (or absent)
        const { timeNano: _drop, Actor: _actor, ...rest } = ev;
        const text = JSON.stringify({ Actor: actor, ...rest }).replace('"timeNano":0', `"timeNano":${decoy}`).replace(/\}$/, keepTop ? `,"timeNano":${top}}` : '}');
        const events = [...parseStartEvents(text).value, ...parseExitEvents(text).value];
        if (!keepTop) expect(events).toEqual([]);
        for (const e of events) expect(`${e.at.epochMs}${String(e.at.subMsNs).padStart(6, '0')}`).toBe(top);
      }),
      200,
    );
  });

  it('truncated byte prefixes of valid bodies: no throw, and a prefix that still parses gives sane figures', () => {
    const bodies = [...STATS, ...INSPECTS, ...LISTS, INFO].map((b) => JSON.stringify(b));
    fuzz(
      fc.property(fc.oneof(...bodies.map(truncatedBytes)), (bytes) => {
        const d = decodeBody(bytes);
        if (!d.json) return;
        parseContainerList(d.value);
        parseEngineInfo(d.value);
        const insp = parseInspect(d.value).value;
        if (insp !== undefined) expectSaneNumbers(insp, ['exitCode']);
        const s = parseStatsReading(d.value).value;
        if (s?.status === 'running') expectSaneNumbers(s);
      }),
      300,
    );
  });
});
