export { ConfigSchema, ElasticsearchSchema, DockerSchema, MesosSchema, JenkinsSchema, CollectSchema, AnalysisSchema } from './schema.js';
export type { Config, AnalysisConfig } from './schema.js';
export { renderConfigDoc } from './describe.js';
export { loadConfig, validateConfig, DEFAULT_CONFIG_FILE, ENV_OVERRIDES } from './load.js';
export type { LoadOptions, LoadedConfig } from './load.js';
export { maskConfig } from './mask.js';
export { endpointProblem, dockerEndpointProblem } from './endpoints.js';
