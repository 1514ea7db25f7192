import { describe, expect, it } from 'vitest';
import { buildCollectionTargets } from '../../../src/cli/commands/collect.js';
import { validateConfig } from '../../../src/config/index.js';

const names = (targets: ReturnType<typeof buildCollectionTargets>): string[] => targets.map((t) => t.collector.target);

describe('collect: which sources a run polls', () => {
  const config = validateConfig({
    docker: { hosts: ['unix:///var/run/docker.sock'] },
    mesos: { masters: ['http://m1:5050', 'http://m2:5050'], dockerHostTemplate: 'tcp://{hostname}:2375' },
    jenkins: { url: 'http://jenkins:8080', username: 'u', token: 't' },
  });

  it('polls every configured source, plus the Docker engines discovered from the Mesos agents', () => {
    const t = names(buildCollectionTargets(config, {}, {}));
    expect(t).toHaveLength(5);
    expect(t[0]).toMatch(/^docker unix:\/\/\/var\/run\/docker.sock/);
    expect(t.some((n) => n.startsWith('mesos-master'))).toBe(true);
    expect(t.some((n) => n.startsWith('mesos-agents'))).toBe(true);
    expect(t.some((n) => n.startsWith('docker (discovered from Mesos agents: tcp://{hostname}:2375)'))).toBe(true);
    expect(t.some((n) => n.startsWith('jenkins'))).toBe(true);
  });

  it('with a source option, polls only that source', () => {
    expect(names(buildCollectionTargets(config, { dockerHost: ['tcp://10.0.0.5:2375'] }, {}))).toEqual(['docker tcp://10.0.0.5:2375']);
    const j = names(buildCollectionTargets(config, { jenkinsUrl: 'http://other:8080' }, {}));
    expect(j).toHaveLength(1);
    expect(j[0]).toMatch(/^jenkins http:\/\/other:8080/);
  });

  it('every round may last up to its interval and no longer', () => {
    for (const t of buildCollectionTargets(config, {}, {})) expect(t.timeoutMs).toBe(t.intervalMs);
  });
});
