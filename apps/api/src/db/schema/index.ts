export * from './account.js';
export * from './audience.js';
export * from './campaign.js';
export * from './compliance.js';
export * from './contact.js';
export * from './delivery.js';
export * from './governance.js';
export * from './workspace.js';
