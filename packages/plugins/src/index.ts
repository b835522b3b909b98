export * from './classifier/index.js';
export * from './compliance/index.js';
export * from './metrics/index.js';
