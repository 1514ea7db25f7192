import type { ContainerDoc, JenkinsIdentity } from '../../model/index.js';
import type { ComputerInfo } from './types.js';

/**
 * Jenkins identity per node name, from one executor snapshot: the node, its label, and — when
 * exactly one build runs on it — that build's job and number. With the mesos-plugin the node
 * name is the Mesos task id (`mesos-jenkins-<uuid>-<label>`, `MesosUtils.buildNodeName`), so
 * this index joins a `mesos.executor` sample to the build running in it. A node running several
 * builds at once gets no job/build (the build summary marks those as `shared_agent`).
 *
 * The label is the node's first assigned label other than its own name (Jenkins gives every
 * node a self-label).
 */
export function jenkinsIdentityByNode(computers: ComputerInfo, jenkinsUrl?: string): Map<string, JenkinsIdentity> {
  const out = new Map<string, JenkinsIdentity>();
  for (const node of computers.nodes) {
    const label = node.labels.find((l) => l !== node.name);
    const running = computers.running.filter((r) => r.nodeName === node.name);
    const only = running.length === 1 ? running[0] : undefined;
    out.set(node.name, {
      ...(jenkinsUrl !== undefined ? { url: jenkinsUrl } : {}),
      node: { name: node.name },
      ...(label !== undefined ? { label } : {}),
      ...(only ? { job: { name: only.jobName }, build: { number: only.number } } : {}),
    });
  }
  return out;
}

/**
 * Adds `jenkins.*` to a container document whose Mesos task id names a Jenkins node; returns
 * the document unchanged when there is no match.
 */
export function withJenkinsIdentity(doc: ContainerDoc, byNode: ReadonlyMap<string, JenkinsIdentity>): ContainerDoc {
  const taskId = doc.mesos?.task?.id;
  const identity = taskId !== undefined ? byNode.get(taskId) : undefined;
  return identity === undefined ? doc : { ...doc, jenkins: { ...doc.jenkins, ...identity } };
}
