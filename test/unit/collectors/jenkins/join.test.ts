import { describe, expect, it } from 'vitest';
import { jenkinsIdentityByNode, parseComputers, withJenkinsIdentity } from '../../../../src/collectors/jenkins/index.js';
import type { ContainerDoc } from '../../../../src/model/index.js';

const node = 'mesos-jenkins-95eed778dfe9bb213471ecb5f3806017-linux-2c';
const computers = parseComputers(
  {
    totalExecutors: 3,
    busyExecutors: 3,
    computer: [
      { displayName: node, offline: false, numExecutors: 1, assignedLabels: [{ name: node }, { name: 'linux-2c' }], executors: [{ idle: false, currentExecutable: { number: 42, url: 'http://ci/job/team-a/job/integration/42/' } }] },
      { displayName: 'shared', offline: false, numExecutors: 2, assignedLabels: [{ name: 'shared' }, { name: 'big' }], executors: [{ currentExecutable: { number: 1, url: 'http://ci/job/a/1/' } }, { currentExecutable: { number: 2, url: 'http://ci/job/b/2/' } }] },
    ],
  },
  { target: 't' },
).value;

const doc = (taskId: string): ContainerDoc => ({
  '@timestamp': '2026-11-22T03:00:00.000Z',
  event: { dataset: 'mesos.executor' },
  container: { id: 'c1' },
  mesos: { task: { id: taskId } },
});

describe('container → task → Jenkins node → build', () => {
  it('the Mesos task id is the node name: job, build and label come from the executor snapshot', () => {
    const byNode = jenkinsIdentityByNode(computers, 'http://ci/');
    expect(withJenkinsIdentity(doc(node), byNode).jenkins).toEqual({
      url: 'http://ci/',
      node: { name: node },
      label: 'linux-2c',
      job: { name: 'team-a/integration' },
      build: { number: 42 },
    });
  });
  it('two builds on one node: node and label only; unknown task: unchanged', () => {
    const byNode = jenkinsIdentityByNode(computers);
    expect(withJenkinsIdentity(doc('shared'), byNode).jenkins).toEqual({ node: { name: 'shared' }, label: 'big' });
    const plain = doc('marathon-app.1');
    expect(withJenkinsIdentity(plain, byNode)).toBe(plain);
  });
});
