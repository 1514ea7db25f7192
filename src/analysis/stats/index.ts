export { recencyWeights, effectiveSampleSize, weightedPercentile, weightedPercentileInOrder, SortedWeightedValues, percentile, seededRandom } from './weighted.js';
