export * from './reply-actions.js';
export * from './triage-policy.js';
export * from './triage-status.js';
