import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FinishedBuildInfo, TaskRequest } from '../analysis/builds/index.js';
import { RightsizeError } from '../errors/index.js';
import { FieldReader, isRecord } from '../util/json.js';

/** A finished build waiting for its summary, as kept across restarts. */
export interface PendingBuildRecord {
  readonly build: FinishedBuildInfo;
  /** The Mesos task request seen while the build ran; absent when the master never showed it. */
  readonly request?: TaskRequest;
  /** When it first became due, epoch ms (its retry age is measured from here). */
  readonly firstDueMs: number;
  /** When it is due next, epoch ms. */
  readonly dueMs: number;
  /** Failed searches so far. */
  readonly attempts: number;
}

/** Where the build summarizer keeps its pending builds (a file in production, memory in tests). */
export interface PendingBuildState {
  load(): Promise<readonly PendingBuildRecord[]>;
  /** Replaces what is kept; MUST be atomic (a crash leaves the previous or the new content). */
  save(records: readonly PendingBuildRecord[]): Promise<void>;
}

const FORMAT = 'rightsize-pending-builds';
const VERSION = 1;

/**
 * The pending builds of `rightsize collect` in one JSON file (`collect.stateDir`), written with
 * write-to-temporary-then-rename, so a SIGKILL at any moment leaves a complete file. A missing
 * file is an empty queue; an unreadable one is an error (the caller logs it and starts empty),
 * and records that do not have the expected shape are skipped.
 */
export class PendingBuildsFile implements PendingBuildState {
  constructor(readonly path: string) {}

  async load(): Promise<readonly PendingBuildRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new RightsizeError('RS_ERR_CONFIG_READ', `cannot read the pending builds in ${this.path}: ${(err as Error).message}`, { cause: err, meta: { path: this.path } });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new RightsizeError('RS_ERR_PARSE_JSON', `the pending builds in ${this.path} are not JSON`, { cause: err, meta: { path: this.path } });
    }
    if (!isRecord(raw) || raw['format'] !== FORMAT || !Array.isArray(raw['builds'])) {
      throw new RightsizeError('RS_ERR_PARSE_SHAPE', `${this.path} is not a ${FORMAT} file`, { meta: { path: this.path } });
    }
    return raw['builds'].flatMap((r) => parseRecord(r) ?? []);
  }

  async save(records: readonly PendingBuildRecord[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ format: FORMAT, version: VERSION, builds: records }), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}

/** A record read back, or undefined when it lacks what a summary needs. */
function parseRecord(r: unknown): PendingBuildRecord | undefined {
  if (!isRecord(r) || !isRecord(r['build'])) return undefined;
  const fr = new FieldReader('pending-builds');
  const b = r['build'];
  const jobName = fr.str(b, 'jobName');
  const number = fr.num(b, 'number');
  const startMs = fr.num(b, 'startMs');
  const durationMs = fr.num(b, 'durationMs');
  const endMs = fr.num(b, 'endMs');
  const firstDueMs = fr.num(r, 'firstDueMs');
  const dueMs = fr.num(r, 'dueMs');
  if (jobName === undefined || number === undefined || startMs === undefined || durationMs === undefined || endMs === undefined || firstDueMs === undefined || dueMs === undefined) return undefined;
  const optionalStrings = ['jenkinsUrl', 'url', 'result', 'builtOn', 'label', 'nodeName'] as const;
  const build: Record<string, unknown> = { jobName, number, startMs, durationMs, endMs };
  for (const k of optionalStrings) {
    const v = fr.str(b, k);
    if (v !== undefined) build[k] = v;
  }
  const queue = fr.obj(b, 'queue');
  if (queue !== undefined) {
    const waitMs = fr.num(queue, 'waitMs');
    const buildableMs = fr.num(queue, 'buildableMs');
    build['queue'] = { ...(waitMs === undefined ? {} : { waitMs }), ...(buildableMs === undefined ? {} : { buildableMs }) };
  }
  const req = fr.obj(r, 'request');
  const cpus = req === undefined ? undefined : fr.num(req, 'cpus');
  const memBytes = req === undefined ? undefined : fr.num(req, 'memBytes');
  const request: TaskRequest | undefined = cpus === undefined && memBytes === undefined ? undefined : { ...(cpus === undefined ? {} : { cpus }), ...(memBytes === undefined ? {} : { memBytes }) };
  return {
    build: build as unknown as FinishedBuildInfo,
    firstDueMs,
    dueMs,
    attempts: fr.num(r, 'attempts') ?? 0,
    ...(request === undefined ? {} : { request }),
  };
}
