export { ConfigSchema, ElasticsearchSchema, DockerSchema, MesosSchema, JenkinsSchema, CollectSchema, AnalysisSchema, ReceiversSchema, ReportSchema, AlertsSchema, AlertRuleSchema } from './schema.js';
export type { Config, AnalysisConfig, ReceiversConfig, ReceiverConfig, ReportConfig, AlertsConfig, AlertRuleConfig } from './schema.js';
export { RECEIVER_KINDS, WEBHOOK_TEMPLATE_FIELDS, TEMPLATE_PLACEHOLDER, receiverKind, receiversProblems } from './receivers.js';
export type { ReceiverKind } from './receivers.js';
export { renderConfigDoc } from './describe.js';
export { loadConfig, validateConfig, DEFAULT_CONFIG_FILE, ENV_OVERRIDES } from './load.js';
export type { LoadOptions, LoadedConfig } from './load.js';
export { maskConfig } from './mask.js';
export { endpointProblem, dockerEndpointProblem } from './endpoints.js';
