export { masterHandler, agentHandler, FAILOVER_PATH, KILL_PATH } from './servers.js';
export type { KillServer } from './servers.js';
export {
  renderMasterState,
  renderMasterSnapshot,
  renderRoles,
  renderStateSummary,
  renderAgentStatistics,
  renderAgentContainers,
  renderAgentState,
  renderAgentSnapshot,
} from './render.js';
export type { Endpoints, SystemInfo } from './render.js';
