import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askOptions, runEmulate } from '../../../src/cli/commands/emulate.js';
import { main } from '../../../src/cli/main.js';
import type { CliContext } from '../../../src/cli/context.js';

function ctx(): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { ctx: { stdout, stderr, env: { RIGHTSIZE_LOG_LEVEL: 'silent' }, exitCode: 0 }, out: () => o, err: () => e };
}

describe('rightsize emulate', () => {
  it('prints one JSON line with every URL first, serves until told to stop, then closes', async () => {
    const c = ctx();
    let urls: { mode: string; masters: string[]; agents: string[]; jenkins: { url: string; user: string; token: string } } | undefined;
    await runEmulate({ scenario: 'demo', usage: 'model', speed: '10' }, c.ctx, async () => {
      const first = c.out().split('\n')[0]!;
      urls = JSON.parse(first) as typeof urls;
      expect(urls!.mode).toBe('model');
      expect(urls!.masters).toHaveLength(3);
      expect(urls!.agents).toHaveLength(3);
      const res = await fetch(urls!.jenkins.url + 'api/json', { headers: { authorization: 'Basic ' + Buffer.from(`${urls!.jenkins.user}:${urls!.jenkins.token}`).toString('base64') } });
      expect(res.status).toBe(200);
    });
    expect(urls).toBeDefined();
    await expect(fetch(urls!.masters[0] + '/metrics/snapshot')).rejects.toThrow();
  });

  it('falls back to the model, and says so, when no Docker engine answers', async () => {
    const c = ctx();
    await runEmulate({ scenario: 'demo', usage: 'docker', dockerHost: 'unix:///nonexistent/docker.sock' }, c.ctx, () => Promise.resolve());
    expect(JSON.parse(c.out().split('\n')[0]!).mode).toBe('model');
    expect(c.err()).toMatch(/^warning: no Docker engine answers at unix:\/\/\/nonexistent\/docker.sock; usage is modelled/m);
  });

  it('reports bad options and missing scenario files with coded errors', async () => {
    const a = ctx();
    expect(await main(['emulate', '--scenario', 'demo', '--usage', 'gpu'], a.ctx)).toBe(2);
    expect(a.err()).toMatch(/error RS_ERR_CLI_USAGE: --usage must be docker or model/);
    const b = ctx();
    expect(await main(['emulate', '--scenario', '/nonexistent/x.yaml'], b.ctx)).toBe(1);
    expect(b.err()).toMatch(/error RS_ERR_CONFIG_READ: cannot read scenario file \/nonexistent\/x.yaml/);
    const d = ctx();
    expect(await main(['emulate', '--scenario', 'demo', '--port', '70000'], d.ctx)).toBe(2);
    expect(d.err()).toMatch(/--port must be an integer between 0 and 65000/);
  });

  it('--ask-rightsize <url> [--ask-timeout] [--ask-token-env]: the asker’s options, checked', async () => {
    expect(askOptions({ scenario: 'demo' }, {})).toBeUndefined();
    expect(askOptions({ scenario: 'demo', askRightsize: 'http://127.0.0.1:8080' }, {})).toEqual({ url: 'http://127.0.0.1:8080', timeoutMs: 2_000 });
    expect(askOptions({ scenario: 'demo', askRightsize: 'http://127.0.0.1:8080', askTimeout: '500ms', askTokenEnv: 'RS_READ' }, { RS_READ: 'tok-123' })).toEqual({
      url: 'http://127.0.0.1:8080',
      timeoutMs: 500,
      token: 'tok-123',
    });
    expect(() => askOptions({ scenario: 'demo', askRightsize: 'http://x', askTokenEnv: 'RS_READ' }, {})).toThrow(/RS_READ is not set/);
    expect(() => askOptions({ scenario: 'demo', askTimeout: '1s' }, {})).toThrow(/need --ask-rightsize/);
    expect(() => askOptions({ scenario: 'demo', askRightsize: 'ftp://x' }, {})).toThrow(/http\(s\) URL/);
    expect(() => askOptions({ scenario: 'demo', askRightsize: 'http://x', askTimeout: 'soon' }, {})).toThrow(/--ask-timeout must be a duration/);
    const a = ctx();
    expect(await main(['emulate', '--scenario', 'demo', '--ask-rightsize', 'not a url'], a.ctx)).toBe(2);
    expect(a.err()).toMatch(/error RS_ERR_CLI_USAGE: --ask-rightsize must be the http\(s\) URL of rightsize serve/);
    const c = ctx();
    await runEmulate({ scenario: 'demo', usage: 'model', askRightsize: 'http://127.0.0.1:1' }, c.ctx, () => Promise.resolve());
    expect(JSON.parse(c.out().split('\n')[0]!).askRightsize.url).toBe('http://127.0.0.1:1');
  });
});
