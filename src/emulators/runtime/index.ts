export { DockerRuntime, dockerReachable, dockerClient, usageFromDockerStats, EMULATOR_LABEL } from './DockerRuntime.js';
export type { DockerRuntimeOptions } from './DockerRuntime.js';
export { ModelRuntime } from './ModelRuntime.js';
export { readCgroupUsage, resolveCgroupPaths, containerCgroupPaths, parseProcCgroup, parseFlatKeyed, usageFromV1, usageFromV2, USER_HZ } from './cgroups.js';
export type { CgroupPaths } from './cgroups.js';
export { buildKeyString } from './types.js';
export type { Runtime, UsageMode, ContainerUsage, BuildLaunch, BuildExit, ExitListener } from './types.js';
