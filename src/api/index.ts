export { buildApp } from './app.js';
export type { AllocationBody, AppDeps } from './app.js';
export { RecommendationCache } from './cache.js';
export type { LoadRecommendations, RecommendationCacheOptions, RecommendationCacheStatus } from './cache.js';
