import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** What one in-process `rightsize` invocation printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in-process with captured stdout/stderr, the given environment and (optionally) standard input. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}, stdin?: string | Buffer): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(args, { stdout, stderr, env, stdin: Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]) });
  return { code, out, err };
}
