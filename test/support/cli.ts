import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** What one in-process `rightsize` invocation printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in-process with captured stdout/stderr and the given environment. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(args, { stdout, stderr, env });
  return { code, out, err };
}
