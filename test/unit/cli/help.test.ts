import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, main } from '../../../src/cli/main.js';

function allCommands(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands.flatMap((c) => [{ path: [...path, c.name()], cmd: c }, ...allCommands(c, [...path, c.name()])]);
}

describe('--help', () => {
  const program = buildProgram({ stdout: new PassThrough(), stderr: new PassThrough(), env: {}, exitCode: 0 });
  const commands = allCommands(program);

  it('covers the commands of the product', () => {
    const names = commands.map((c) => c.path.join(' '));
    for (const expected of ['collect', 'config check', 'emulate', 'analyze', 'replay']) expect(names).toContain(expected);
  });

  it.each(commands.map((c) => [c.path.join(' '), c.cmd] as const))('`rightsize %s` describes itself and every option', async (name, cmd) => {
    expect(cmd.description().length, `${name} has no description`).toBeGreaterThan(10);
    for (const opt of cmd.options) expect(opt.description.length, `${name} ${opt.flags} has no description`).toBeGreaterThan(3);
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await main([...name.split(' '), '--help'], { stdout, stderr: new PassThrough(), env: {} });
    expect(code).toBe(0);
    expect(out).toContain(`Usage: rightsize ${name}`);
  });
});
