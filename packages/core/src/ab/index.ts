export * from './ab-test.js';
export * from './comparison.js';
export * from './normal-cdf.js';
export * from './split.js';
export * from './two-proportion-z-test.js';
export * from './winner-metrics.js';
