/** The Docker collectors built from the `docker` config section. */
import { describe, expect, it } from 'vitest';
import { collectorFromEndpoint, dockerCollectorsFromConfig } from '../../../../src/collectors/docker/index.js';

describe('dockerCollectorsFromConfig', () => {
  it('builds one collector per endpoint from the docker config section', async () => {
    const cs = dockerCollectorsFromConfig({ hosts: ['tcp://a:2375', 'unix:///b.sock'], timeoutMs: 5000, concurrency: 8 });
    expect(cs.map((c) => c.target)).toEqual(['docker tcp://a:2375', 'docker unix:///b.sock']);
    await Promise.all(cs.map((c) => c.shutdown()));
  });

  it('an unreadable TLS file is RS_ERR_CONFIG_READ at construction; bad numbers are RS_ERR_CONFIG_INVALID', () => {
    expect(() => collectorFromEndpoint('tcp://a:2376', { tls: { caFile: '/nonexistent/ca.pem' } })).toThrow(expect.objectContaining({ code: 'RS_ERR_CONFIG_READ' }));
    expect(() => collectorFromEndpoint('tcp://a:2375', { concurrency: 0 })).toThrow(expect.objectContaining({ code: 'RS_ERR_CONFIG_INVALID' }));
  });
});
