export { jenkinsHandler, ASK_STATUS_PATH } from './server.js';
export { askUrl, choiceFromAnswer, httpLabelAsker, DEFAULT_ASK_TIMEOUT_MS } from './askRightsize.js';
export type { AskRightsizeOptions, LabelAsker } from './askRightsize.js';
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
  rightsizeDescription,
  childrenOf,
  isFolder,
} from './render.js';
export type { JenkinsView } from './render.js';
