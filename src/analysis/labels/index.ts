export { planLabels, planToJcascYaml, defaultLabelName } from './plan.js';
export type { PlanJob, PlanOptions, LabelPlan, LabelSize, PlanAssignment } from './plan.js';
export { recommendLabels } from './labels.js';
export {
  patchJcasc,
  plugin1Sizing,
  plugin2Sizing,
  mesosTaskRequest,
  movesGroovy,
  moveRecord,
  groovyString,
  PLUGIN1_MEM_OVERHEAD_FACTOR,
  PLUGIN2_JVM_MB,
} from './jcasc.js';
export type { MesosPluginVersion, JcascPatch, Plugin1Sizing, Plugin2Sizing } from './jcasc.js';
