export { ConfigSchema, ElasticsearchSchema, DockerSchema, MesosSchema, JenkinsSchema, CollectSchema, AnalysisSchema, AlertsSchema, AlertRuleSchema } from './schema.js';
export type { Config, AnalysisConfig, AlertsConfig, AlertRuleConfig } from './schema.js';
export { renderConfigDoc } from './describe.js';
export { loadConfig, validateConfig, DEFAULT_CONFIG_FILE, ENV_OVERRIDES } from './load.js';
export type { LoadOptions, LoadedConfig } from './load.js';
