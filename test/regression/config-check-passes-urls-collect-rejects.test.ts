import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors/index.js';

// Issue 14 "Also": `config check` accepted `tcp://` and `http://[::1` (a prefix regex), which
// `collect` then rejected at start. Validation now parses each URL the way the clients do.
function problems(raw: unknown): { path: string; message: string }[] {
  try {
    validateConfig(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

describe('regression: config check rejects the endpoints collect rejects', () => {
  it.each([
    [{ docker: { hosts: ['tcp://'] } }, '/docker/hosts/0'],
    [{ docker: { hosts: ['unix://var/run/docker.sock'] } }, '/docker/hosts/0'],
    [{ docker: { hosts: ['http://[::1'] } }, '/docker/hosts/0'],
    [{ mesos: { masters: ['http://[::1'] } }, '/mesos/masters/0'],
    [{ mesos: { agents: ['http://'] } }, '/mesos/agents/0'],
    [{ jenkins: { url: 'http://[::1' } }, '/jenkins/url'],
    [{ elasticsearch: { url: 'http://[::1' } }, '/elasticsearch/url'],
  ])('%j is a problem at %s', (raw, path) => {
    expect(problems(raw).map((p) => p.path)).toContain(path);
  });

  it('accepts the endpoint forms collect accepts', () => {
    expect(
      problems({
        docker: { hosts: ['unix:///var/run/docker.sock', '/var/run/docker.sock', 'tcp://127.0.0.1:2375', 'tcp://[::1]:2375', 'https://engine:2376'] },
        mesos: { masters: ['http://[::1]:5050'], agents: ['https://agent-1:5051'] },
        jenkins: { url: 'http://jenkins:8080/' },
        elasticsearch: { url: 'https://es:9200' },
      }),
    ).toEqual([]);
  });

  it('names a bad URL without its credentials', () => {
    const p = problems({ mesos: { masters: ['http://u:secretpw@[::1'] } });
    expect(p[0]?.message).not.toContain('secretpw');
  });
});
