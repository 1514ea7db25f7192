import { describe, expect, it } from 'vitest';
import { applyTree, parseTree, TreeSyntaxError } from '../../../../src/emulators/jenkins/tree.js';

const doc = {
  _class: 'hudson.model.FreeStyleProject',
  name: 'j',
  color: 'blue',
  builds: [0, 1, 2, 3, 4].map((n) => ({ _class: 'hudson.model.FreeStyleBuild', number: 5 - n, url: `u/${5 - n}/`, result: 'SUCCESS' })),
  lastBuild: { _class: 'hudson.model.FreeStyleBuild', number: 5, url: 'u/5/' },
  tags: ['a', 'b'],
};

describe('Jenkins tree= filter', () => {
  it('parses nested lists and ranges', () => {
    expect(parseTree('jobs[name,builds[number]{0,10}],x{2},y{3,},z{,4}')).toEqual([
      { name: 'jobs', children: [{ name: 'name' }, { name: 'builds', children: [{ name: 'number' }], range: { from: 0, to: 10 } }] },
      { name: 'x', range: { from: 2, to: 3 } },
      { name: 'y', range: { from: 3, to: Infinity } },
      { name: 'z', range: { from: 0, to: 4 } },
    ]);
  });

  it('keeps only named fields (plus _class), filters inside arrays, slices {M,N}', () => {
    expect(applyTree(doc, parseTree('name,builds[number,url]{1,3}'))).toEqual({
      _class: 'hudson.model.FreeStyleProject',
      name: 'j',
      builds: [
        { _class: 'hudson.model.FreeStyleBuild', number: 4, url: 'u/4/' },
        { _class: 'hudson.model.FreeStyleBuild', number: 3, url: 'u/3/' },
      ],
    });
  });

  it('an object named without [..] keeps only its _class; primitives and primitive arrays pass', () => {
    expect(applyTree(doc, parseTree('lastBuild,tags{1,},missing'))).toEqual({ _class: 'hudson.model.FreeStyleProject', lastBuild: { _class: 'hudson.model.FreeStyleBuild' }, tags: ['b'] });
  });

  it('rejects malformed expressions', () => {
    for (const bad of ['builds[number', 'a,,b', 'a{x}', 'a]', 'a{1']) expect(() => parseTree(bad)).toThrow(TreeSyntaxError);
  });
});

describe('tree depth', () => {
  it('is how many levels a tree names', async () => {
    const { treeDepth } = await import('../../../../src/emulators/jenkins/tree.js');
    expect(treeDepth(parseTree('a,b'))).toBe(0);
    expect(treeDepth(parseTree('a[b],c'))).toBe(1);
    expect(treeDepth(parseTree('jobs[name,jobs[name,lastBuild[number]]]'))).toBe(3);
  });
});
