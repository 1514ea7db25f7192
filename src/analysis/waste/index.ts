export { computeWaste, weekStart, WasteAccumulator, wasteDocument } from './waste.js';
export type { WasteRow, WasteResult, Prices, WasteDoc } from './waste.js';
