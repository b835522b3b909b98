// The compliance engine under test. @qunfa/plugins re-exports it from its root once the
// package index lists `./compliance/index.js`; until then the bench reads the source.
export {
  builtinLexicons,
  channelContent,
  createSensitiveWordIndex,
  lexiconFromTerms,
  links,
  sensitiveWords,
} from '@qunfa/plugins';
