export { jenkinsHandler } from './server.js';
export type { JenkinsAuth } from './server.js';
export { parseTree, applyTree, treeDepth, TreeSyntaxError } from './tree.js';
export type { TreeNode } from './tree.js';
export {
  renderRoot,
  renderFolder,
  renderQueue,
  renderQueueItem,
  renderJob,
  renderBuild,
  renderComputers,
  timeInQueueAction,
  childrenOf,
  isFolder,
} from './render.js';
export type { JenkinsView } from './render.js';
