export { type OptOutNoticeOptions, optOutNotice } from './rule.js';
