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
export type { ChannelContentOptions } from './rules/channel-content.js';
export { channelContent } from './rules/channel-content.js';
export type { ContentRule } from './rules/content-rule.js';
export type { FoundLink } from './rules/find-links.js';
export { findLinks } from './rules/find-links.js';
export type { LinksOptions } from './rules/links.js';
export { links, urlShorteners } from './rules/links.js';
export type { SensitiveWordsOptions } from './rules/sensitive-words.js';
export { sensitiveWords } from './rules/sensitive-words.js';
export { checkTemplate } from './template/check-template.js';
export type { Placeholder } from './template/placeholders.js';
export { findPlaceholders } from './template/placeholders.js';
export type { TemplateContentContext } from './template/template-context.js';
export type { NormalisedText, NormaliseOptions } from './text/normalise.js';
export { normaliseText } from './text/normalise.js';
