import { TraceReader, type BuildRecord } from '../analysis/index.js';
import { readTraceLines } from '../analysis/service/index.js';
import { RightsizeError } from '../errors/index.js';
import { writeLine, type CliContext } from './context.js';

/**
 * Streams a trace (a file, `-` for standard input, gzip or not) line by line into `onBuild`:
 * refused lines (not JSON, not a builds document, a value out of range) are counted and the first
 * five printed on stderr with their line numbers. Memory is what `onBuild` keeps.
 *
 * @throws RightsizeError `RS_ERR_TRACE_READ` (cannot read), `RS_ERR_PARSE_SHAPE` (no valid build).
 */
export async function readTrace(source: string, ctx: CliContext, onBuild: (b: BuildRecord) => void, splitBranchKind = false): Promise<TraceReader> {
  const reader = new TraceReader(splitBranchKind);
  await readTraceLines(source, ctx.stdin ?? process.stdin, {
    line: (text) => {
      const b = reader.line(text);
      if (b !== undefined) onBuild(b);
    },
    tooLong: () => reader.tooLong(),
  });
  const name = source === '-' ? 'standard input' : source;
  if (reader.refused > 0) {
    writeLine(ctx.stderr, `warning: skipped ${reader.refused} of ${reader.lines} line(s) of ${name}`);
    for (const p of reader.problems) writeLine(ctx.stderr, `  line ${p.line}: ${p.code}: ${p.message}`);
  }
  if (reader.builds === 0) throw new RightsizeError('RS_ERR_PARSE_SHAPE', `${name} holds no valid builds document (${reader.lines} non-empty line(s))`);
  return reader;
}
