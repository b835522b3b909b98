export type { AbTestSampleOptions } from './campaign-rules/ab-test-sample.js';
export { abTestSample } from './campaign-rules/ab-test-sample.js';
export type { AudienceSizeOptions } from './campaign-rules/audience-size.js';
export { audienceSize } from './campaign-rules/audience-size.js';
export type { OfficialAccountFrequencyOptions } from './campaign-rules/official-account-frequency.js';
export { officialAccountFrequency } from './campaign-rules/official-account-frequency.js';
export type { WechatPersonalSendsOptions } from './campaign-rules/wechat-personal-sends.js';
export { wechatPersonalSends } from './campaign-rules/wechat-personal-sends.js';
export type { DoubleArrayAutomaton } from './engine/double-array.js';
export { buildDoubleArray } from './engine/double-array.js';
export type { Lexicon, LexiconOptions } from './engine/lexicon.js';
export { lexiconFromTerms } from './engine/lexicon.js';
export type {
  SensitiveWordHit,
  SensitiveWordIndex,
  SensitiveWordIndexOptions,
} from './engine/sensitive-word-index.js';
export { createSensitiveWordIndex } from './engine/sensitive-word-index.js';
export type { BuiltinLexiconName } from './lexicons/builtin-lexicons.js';
export { builtinLexicon, builtinLexiconNames, builtinLexicons } from './lexicons/builtin-lexicons.js';
export type { RecipientFactsLoader } from './recipient-rules/facts-loader.js';
export { createRecipientFactsLoader } from './recipient-rules/facts-loader.js';
export type { QuietWindow } from './recipient-rules/quiet-window.js';
export { quietUntil } from './recipient-rules/quiet-window.js';
export type { RecipientRulesOptions } from './recipient-rules/recipient-rules.js';
export { recipientRules } from './recipient-rules/recipient-rules.js';
export type { ChannelContentOptions } from './rules/channel-content.js';
export { channelContent } from './rules/channel-content.js';
export type { ContentRule } from './rules/content-rule.js';
export type { FoundLink } from './rules/find-links.js';
export { findLinks } from './rules/find-links.js';
export type { LinksOptions } from './rules/links.js';
export { links, urlShorteners } from './rules/links.js';
export type { SensitiveWordsOptions } from './rules/sensitive-words.js';
export { sensitiveWords } from './rules/sensitive-words.js';
export type { SmsContentOptions } from './rules/sms-content.js';
export { smsContent } from './rules/sms-content.js';
export { SMS_LONG_SEGMENT, SMS_SINGLE_SEGMENT, smsSegments } from './rules/sms-segments.js';
export { checkTemplate } from './template/check-template.js';
export type { Placeholder } from './template/placeholders.js';
export { findPlaceholders } from './template/placeholders.js';
export type { TemplateContentContext } from './template/template-context.js';
export type { NormalisedText, NormaliseOptions } from './text/normalise.js';
export { normaliseText } from './text/normalise.js';
