import { describe, expect, it } from 'vitest';
import { dockerEndpointFromTemplate, dockerEndpointsFromState } from '../../../../src/collectors/docker/index.js';

describe('Docker endpoints discovered from Mesos agents', () => {
  it('dockerEndpointFromTemplate: fills hostname/id; refuses missing or URL-breaking values', () => {
    expect(dockerEndpointFromTemplate('tcp://{hostname}:2375', { hostname: '10.0.2.121' })).toBe('tcp://10.0.2.121:2375');
    expect(dockerEndpointFromTemplate('tcp://{hostname}:2375', {})).toBeUndefined();
    expect(dockerEndpointFromTemplate('tcp://{hostname}:2375', { hostname: 'evil@host/x' })).toBeUndefined();
    expect(dockerEndpointFromTemplate('tcp://docker-{id}.local:2376', { id: 'S1' })).toBe('tcp://docker-S1.local:2376');
  });
  it('dockerEndpointsFromState: one endpoint per active agent, inactive and unfillable ones left out, no duplicates', () => {
    const agents = [
      { id: 'S1', hostname: '10.0.2.121' },
      { id: 'S2', hostname: '10.0.2.122', active: false },
      { id: 'S3' },
      { id: 'S4', hostname: '10.0.2.121', active: true },
    ];
    expect(dockerEndpointsFromState({ agents }, 'tcp://{hostname}:2375')).toEqual(['tcp://10.0.2.121:2375']);
    expect(dockerEndpointsFromState({ agents }, 'tcp://docker-{id}:2375')).toEqual(['tcp://docker-S1:2375', 'tcp://docker-S3:2375', 'tcp://docker-S4:2375']);
  });
});
