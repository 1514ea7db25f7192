export { planLabels, planToJcascYaml, defaultLabelName } from './plan.js';
export type { PlanJob, PlanOptions, LabelPlan, LabelSize, PlanAssignment } from './plan.js';
export { recommendLabels } from './labels.js';
