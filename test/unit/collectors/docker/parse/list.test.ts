/** `parseContainerList`. */
import { describe, expect, it } from 'vitest';
import { parseContainerList } from '../../../../../src/collectors/docker/index.js';
import { ID } from './fixtures.js';

describe('parseContainerList', () => {
  it('drops entries without a valid hex Id, as errors for those entries only', () => {
    const r = parseContainerList([{ Id: ID, Names: ['/ok'], State: 'running' }, { Id: '../../etc' }, 'x', { Names: ['/noid'] }]);
    expect(r.value).toEqual([{ id: ID, name: 'ok', state: 'running' }]);
    expect(r.errors.map((e) => e.subject)).toEqual(['[1].Id', '[2].Id', '[3].Id']);
  });

  it('a non-array is a shape error', () => {
    expect(parseContainerList({ message: 'server error' })).toMatchObject({ value: undefined, errors: [{ code: 'RS_ERR_PARSE_SHAPE' }] });
  });
});
