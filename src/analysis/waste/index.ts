export { computeWaste, weekStart } from './waste.js';
export type { WasteRow, WasteResult, Prices } from './waste.js';
