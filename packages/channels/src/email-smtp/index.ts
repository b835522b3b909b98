export { addressEmail } from './address.js';
export type { ParsedBounce } from './bounce.js';
export { bounceEvents, parseBounce } from './bounce.js';
export { emailSmtp } from './channel.js';
export type { EmailSmtpOptions } from './options.js';
export { classifySmtpReply } from './smtp-errors.js';
