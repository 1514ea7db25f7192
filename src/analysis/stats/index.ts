export { recencyWeights, effectiveSampleSize, weightedPercentile, percentile, seededRandom } from './weighted.js';
