import type { BuildDoc } from '../../model/index.js';
import { readBuildDoc, type BuildDocRead } from '../../util/buildDoc.js';
import { workloadKey, type BuildRecord } from '../recommend/records.js';

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

/** A trace line is strict: a malformed or out-of-range optional field refuses the whole line. */
function strict(read: BuildDocRead): string | undefined {
  if (!read.ok) return read.problem;
  return read.dropped[0];
}

/**
 * Validates one decoded line as a `builds` document with the one reader of the document
 * (`readBuildDoc`, src/util/buildDoc.ts). Returns the problem text, or undefined when valid.
 * Required: `jenkins.job.name`, `jenkins.build.number` (integer ≥ 0), `build.start`/`build.end`
 * (instants in [1970, 2100), end ≥ start), `build.duration_ms`; every optional number finite,
 * ≥ 0 and within its physical bound (cores ≤ 4096, bytes ≤ 1 PiB, ratios ≤ 1).
 */
export function validateBuildDoc(x: unknown): string | undefined {
  return strict(readBuildDoc(x));
}

/**
 * Reads a trace one line at a time (the shell streams a file, standard input or a gzip stream
 * through it), so memory is bounded by what the caller keeps, not by the file. Each valid line
 * becomes a {@link BuildRecord}; job names, labels and results are interned (one string per job,
 * not per build). Bad lines are counted and the first `keepProblems` kept with their line numbers.
 */
export class TraceReader {
  /** Non-empty lines seen. */
  lines = 0;
  /** Valid builds read. */
  builds = 0;
  /** Lines refused (not JSON, not a valid build document, a value out of range). */
  refused = 0;
  readonly problems: TraceProblem[] = [];
  private lineNo = 0;
  private readonly strings = new Map<string, string>();

  constructor(
    private readonly splitBranchKind = false,
    private readonly keepProblems = 5,
  ) {}

  private intern(s: string | undefined): string | undefined {
    if (s === undefined) return undefined;
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  private refuse(code: TraceProblem['code'], message: string): undefined {
    this.refused++;
    if (this.problems.length < this.keepProblems) this.problems.push({ line: this.lineNo, code, message });
    return undefined;
  }

  /** A line too long to be a builds document (the shell dropped its text): counted and refused. */
  tooLong(): void {
    this.lineNo++;
    this.lines++;
    this.refuse('RS_ERR_PARSE_SHAPE', 'line too long for a builds document');
  }

  /** One line (without its newline); returns the build, or undefined for a blank or refused line. */
  line(text: string): BuildRecord | undefined {
    this.lineNo++;
    const raw = text.trim();
    if (raw === '') return undefined;
    this.lines++;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      return this.refuse('RS_ERR_PARSE_JSON', err instanceof Error ? err.message : String(err));
    }
    const read = readBuildDoc(value);
    const problem = strict(read);
    if (problem !== undefined || !read.ok) return this.refuse('RS_ERR_PARSE_SHAPE', problem ?? 'invalid');
    this.builds++;
    const f = read.facts;
    const job = this.intern(f.job)!;
    const label = this.intern(f.label);
    const result = this.intern(f.result);
    return {
      ...f,
      job,
      key: this.intern(workloadKey(job, this.splitBranchKind))!,
      ...(label !== undefined ? { label } : {}),
      ...(result !== undefined ? { result } : {}),
    };
  }
}

/**
 * Parses a whole NDJSON trace of `builds` documents held in memory (small traces, tests). Blank
 * lines are ignored; a line that is not JSON or not a valid build document is skipped and reported
 * with its 1-based line number. Large traces go through {@link TraceReader} line by line.
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
