export type { ClassScore, Evaluation, LabelledReply } from './evaluate.js';
export { evaluateClassifier } from './evaluate.js';
export { labelledReplies } from './labelled-set.js';
export { normaliseReply } from './normalise-reply.js';
export type { ReplyLexiconFile } from './reply-lexicon.js';
export { builtinReplyLexicons, compileReplyLexicon, replyLexiconSchema } from './reply-lexicon.js';
export type { RuleClassifierOptions } from './rule-classifier.js';
export { ruleClassifier } from './rule-classifier.js';
