export { parseScenario, validateScenario, loadScenarioFile, taskRequest, ScenarioSchema, JobSchema, MarathonAppSchema, LabelSchema, AgentGroupSchema, CpuProfileSchema, DurationSchema, PhaseSchema } from './schema.js';
export type { Scenario, JobSpec, LabelSpec, CpuProfile, DurationSpec, MarathonAppSpec } from './schema.js';
export { Prng, hashString } from './prng.js';
export { planBuild, workloadArgs, modelUsage, modelOomAtMs, cpuPhases, drawDurationMs, planApp, appWorkloadArgs, APP_PLAN_HORIZON_MS } from './workload.js';
export type { BuildPlan, PlanPhase } from './workload.js';
export { resolveScenarioPath, SCENARIOS_DIR } from './builtin.js';
