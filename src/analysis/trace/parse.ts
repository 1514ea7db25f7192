import type { BuildDoc } from '../../model/index.js';
import { isRecord } from '../../util/json.js';

/** One skipped line of a trace: 1-based line number, error code and why. */
export interface TraceProblem {
  readonly line: number;
  readonly code: 'RS_ERR_PARSE_JSON' | 'RS_ERR_PARSE_SHAPE';
  readonly message: string;
}

export interface ParsedTrace {
  readonly builds: BuildDoc[];
  /** Bad lines, skipped and counted (never a crash, never a wrong number). */
  readonly problems: TraceProblem[];
  /** Non-empty lines seen. */
  readonly lines: number;
}

const MAX_NAME = 1024;

/** Checks an optional non-negative finite number; returns an error text or undefined. */
function optNumber(obj: Record<string, unknown> | undefined, key: string, path: string, max = Infinity): string | undefined {
  if (obj === undefined || !(key in obj) || obj[key] === undefined) return undefined;
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) return `${path}.${key} must be a finite number in [0, ${max}]`;
  return undefined;
}

function optObj(parent: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined | 'bad' {
  if (parent === undefined || parent[key] === undefined) return undefined;
  return isRecord(parent[key]) ? parent[key] : 'bad';
}

/**
 * Validates one decoded line as a `builds` document (data-model.md). Returns the problem text,
 * or undefined when valid. Required: `jenkins.job.name` (non-empty string ≤ 1024 chars),
 * `jenkins.build.number` (integer ≥ 0), `build.start`, `build.end` (epoch ms, end ≥ start),
 * `build.duration_ms` (≥ 0). Optional numeric fields must be finite and non-negative.
 */
export function validateBuildDoc(x: unknown): string | undefined {
  if (!isRecord(x)) return 'not a JSON object';
  const jenkins = x['jenkins'];
  if (!isRecord(jenkins)) return 'jenkins is missing';
  const job = jenkins['job'];
  if (!isRecord(job) || typeof job['name'] !== 'string' || job['name'].length === 0 || job['name'].length > MAX_NAME)
    return 'jenkins.job.name must be a non-empty string';
  const build = jenkins['build'];
  if (!isRecord(build) || typeof build['number'] !== 'number' || !Number.isInteger(build['number']) || build['number'] < 0)
    return 'jenkins.build.number must be a non-negative integer';
  if (jenkins['label'] !== undefined && typeof jenkins['label'] !== 'string') return 'jenkins.label must be a string';
  if (jenkins['result'] !== undefined && typeof jenkins['result'] !== 'string') return 'jenkins.result must be a string';
  const b = x['build'];
  if (!isRecord(b)) return 'build is missing';
  for (const k of ['start', 'end', 'duration_ms']) {
    const v = b[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `build.${k} must be a finite non-negative number`;
  }
  if ((b['end'] as number) < (b['start'] as number)) return 'build.end is before build.start';
  const request = optObj(x, 'request');
  const usage = optObj(x, 'usage');
  if (request === 'bad') return 'request must be an object';
  if (usage === 'bad') return 'usage must be an object';
  const cpu = optObj(usage, 'cpu');
  const mem = optObj(usage, 'memory');
  if (cpu === 'bad') return 'usage.cpu must be an object';
  if (mem === 'bad') return 'usage.memory must be an object';
  const outcome = optObj(x, 'outcome');
  if (outcome === 'bad') return 'outcome must be an object';
  if (outcome !== undefined && outcome['oom_killed'] !== undefined && typeof outcome['oom_killed'] !== 'boolean')
    return 'outcome.oom_killed must be a boolean';
  const checks = [
    optNumber(request, 'cpu_cores', 'request'),
    optNumber(request, 'memory_bytes', 'request'),
    ...['avg_cores', 'p50_cores', 'p95_cores', 'max_cores', 'core_seconds'].map((k) => optNumber(cpu, k, 'usage.cpu')),
    optNumber(cpu, 'throttled_ratio', 'usage.cpu', 1),
    optNumber(mem, 'avg_bytes', 'usage.memory'),
    optNumber(mem, 'peak_bytes', 'usage.memory'),
    optNumber(usage, 'sample_count', 'usage'),
    optNumber(usage, 'coverage', 'usage', 1),
  ];
  return checks.find((c) => c !== undefined);
}

/**
 * Parses an NDJSON trace of `builds` documents. Blank lines are ignored; a line that is not
 * JSON or not a valid build document is skipped and reported with its 1-based line number.
 */
export function parseTrace(text: string): ParsedTrace {
  const builds: BuildDoc[] = [];
  const problems: TraceProblem[] = [];
  let lines = 0;
  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const raw = text.slice(pos, nl).trim();
    pos = nl + 1;
    lineNo++;
    if (raw === '') continue;
    lines++;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      problems.push({ line: lineNo, code: 'RS_ERR_PARSE_JSON', message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const problem = validateBuildDoc(value);
    if (problem !== undefined) {
      problems.push({ line: lineNo, code: 'RS_ERR_PARSE_SHAPE', message: problem });
      continue;
    }
    builds.push(value as BuildDoc);
  }
  return { builds, problems, lines };
}

/** Serialises build documents as NDJSON (one per line, trailing newline). */
export function toNdjson(docs: readonly unknown[]): string {
  return docs.map((d) => JSON.stringify(d)).join('\n') + (docs.length > 0 ? '\n' : '');
}
