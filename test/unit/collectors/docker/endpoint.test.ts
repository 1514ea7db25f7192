/** Docker endpoint strings → how to reach each engine. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCKER_ENDPOINT, parseDockerEndpoint, resolveDockerEndpoints } from '../../../../src/collectors/docker/index.js';
import { RightsizeError } from '../../../../src/errors/index.js';

describe('endpoints', () => {
  it('parses unix, tcp, http(s) endpoints', () => {
    expect(parseDockerEndpoint('unix:///var/run/docker.sock')).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(parseDockerEndpoint('/run/docker.sock')).toEqual({ kind: 'unix', socketPath: '/run/docker.sock' });
    expect(parseDockerEndpoint('tcp://agent-1:2375')).toEqual({ kind: 'tcp', protocol: 'http', host: 'agent-1', port: 2375 });
    expect(parseDockerEndpoint('tcp://agent-1')).toEqual({ kind: 'tcp', protocol: 'http', host: 'agent-1', port: 2375 });
    expect(parseDockerEndpoint('tcp://agent-1', true)).toEqual({ kind: 'tcp', protocol: 'https', host: 'agent-1', port: 2376 });
    expect(parseDockerEndpoint('https://[::1]:2376')).toEqual({ kind: 'tcp', protocol: 'https', host: '::1', port: 2376 });
    expect(parseDockerEndpoint('http://10.0.0.5:8080')).toEqual({ kind: 'tcp', protocol: 'http', host: '10.0.0.5', port: 8080 });
  });

  it('rejects what it cannot reach with RS_ERR_CONFIG_INVALID, credentials redacted', () => {
    for (const bad of ['npipe:////./pipe/docker_engine', 'unix://relative.sock', 'agent-1:2375 extra', 'ssh://me@host']) {
      expect(() => parseDockerEndpoint(bad)).toThrow(RightsizeError);
    }
    try {
      parseDockerEndpoint('ftp://bob:pw@host');
    } catch (e) {
      expect((e as RightsizeError).code).toBe('RS_ERR_CONFIG_INVALID');
      expect((e as Error).message).not.toContain('pw');
    }
  });

  it('resolves override → config → DOCKER_HOST → local socket', () => {
    expect(resolveDockerEndpoints({ override: 'tcp://x:1', configured: ['tcp://c:1'], env: { DOCKER_HOST: 'tcp://e:1' } })).toEqual(['tcp://x:1']);
    expect(resolveDockerEndpoints({ configured: ['tcp://c:1', ' '], env: { DOCKER_HOST: 'tcp://e:1' } })).toEqual(['tcp://c:1']);
    expect(resolveDockerEndpoints({ configured: [], env: { DOCKER_HOST: 'unix:///e.sock' } })).toEqual(['unix:///e.sock']);
    expect(resolveDockerEndpoints({ configured: [], env: {} })).toEqual([DEFAULT_DOCKER_ENDPOINT]);
    expect(DEFAULT_DOCKER_ENDPOINT).toBe('unix:///var/run/docker.sock');
  });
});
