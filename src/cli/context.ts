import type { Readable, Writable } from 'node:stream';

/** What every command gets from the composition root; tests pass their own. */
export interface CliContext {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Standard input (`--from -`, `--trace -`); process.stdin when not given. */
  readonly stdin?: Readable;
  /** The environment; the global `--log-level` sets `RIGHTSIZE_LOG_LEVEL` in it before a command runs. */
  env: Readonly<Record<string, string | undefined>>;
  /** Set by a command to the process exit code it wants (0 when unset). */
  exitCode: number;
}

export function writeLine(stream: Writable, line: string): void {
  stream.write(line.endsWith('\n') ? line : line + '\n');
}

/** Resolves at the first SIGINT or SIGTERM (then stops listening): the end of a long-running command. */
export function waitForStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
