export { planLabels, planToJcascYaml, defaultLabelName } from './plan.js';
export type { PlanJob, PlanOptions, LabelPlan, LabelSize, PlanAssignment } from './plan.js';
export { recommendLabels } from './labels.js';
export { MARATHON_WINDOW_MS, recommendMarathonApp, recommendMarathonAppFromWindows } from './marathon.js';
export type { AppSample, AppWindow, MarathonAppInput, MarathonAppWindowsInput } from './marathon.js';
