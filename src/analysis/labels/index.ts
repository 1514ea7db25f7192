export { planLabels, planToJcascYaml, defaultLabelName } from './plan.js';
export type { PlanJob, PlanOptions, LabelPlan, LabelSize, PlanAssignment } from './plan.js';
export { recommendLabels } from './labels.js';
export { recommendMarathonApp } from './marathon.js';
export type { AppSample, MarathonAppInput } from './marathon.js';
