export { buildApp } from './app.js';
export type { AllocationBody, AppDeps } from './app.js';
export { RecommendationCache } from './cache.js';
export type { LoadRecommendations, RecommendationCacheOptions, RecommendationCacheStatus } from './cache.js';
export { buildMetricsApp } from './metricsApp.js';
export type { MetricsAppDeps } from './metricsApp.js';
export { collectorMetricFamilies, renderPrometheus, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
export type { MetricFamily } from './prometheus.js';
