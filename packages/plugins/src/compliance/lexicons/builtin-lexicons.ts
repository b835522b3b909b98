import type { FindingLevel } from '@qunfa/core';
import englishProfanity from 'naughty-words/en.json' with { type: 'json' };
import adLawAbsolute from '../../../lexicons/ad-law-absolute.json' with { type: 'json' };
import contactDiversion from '../../../lexicons/contact-diversion.json' with { type: 'json' };
import financialClaims from '../../../lexicons/financial-claims.json' with { type: 'json' };
import inducementToShare from '../../../lexicons/inducement-to-share.json' with { type: 'json' };
import medicalClaims from '../../../lexicons/medical-claims.json' with { type: 'json' };
import profanityEnglish from '../../../lexicons/profanity-en.json' with { type: 'json' };
import { type Lexicon, type LexiconBoundary, lexiconFromTerms } from '../engine/lexicon.js';

/** The header every shipped lexicon file (packages/plugins/lexicons/*.json) carries. */
interface LexiconFile {
  name: string;
  level: string;
  code: string;
  description: string;
  sources: string[];
  levelRationale: string;
  traditionalToSimplified: boolean;
  boundary?: string;
  terms?: string[];
  allow: string[];
  exclude?: Record<string, string>;
}

export const builtinLexiconNames = [
  'ad-law-absolute',
  'inducement-to-share',
  'financial-claims',
  'medical-claims',
  'contact-diversion',
  'profanity-en',
] as const;
export type BuiltinLexiconName = (typeof builtinLexiconNames)[number];

function fromFile(file: LexiconFile, terms: readonly string[] = file.terms ?? []): Lexicon {
  const excluded = new Set(Object.keys(file.exclude ?? {}));
  return lexiconFromTerms(
    file.name,
    file.level as FindingLevel,
    terms.filter((t) => !excluded.has(t)),
    {
      code: file.code,
      allow: file.allow,
      traditionalToSimplified: file.traditionalToSimplified,
      ...(file.boundary === undefined ? {} : { boundary: file.boundary as LexiconBoundary }),
      description: file.description,
      source: file.sources.join('; '),
    },
  );
}

const files: Record<BuiltinLexiconName, () => Lexicon> = {
  'ad-law-absolute': () => fromFile(adLawAbsolute),
  'inducement-to-share': () => fromFile(inducementToShare),
  'financial-claims': () => fromFile(financialClaims),
  'medical-claims': () => fromFile(medicalClaims),
  'contact-diversion': () => fromFile(contactDiversion),
  'profanity-en': () => fromFile(profanityEnglish, englishProfanity),
};

/** One shipped lexicon, by name. */
export function builtinLexicon(name: BuiltinLexiconName): Lexicon {
  return files[name]();
}

/** The shipped lexicons (all, or the named ones), in a stable order. */
export function builtinLexicons(names: readonly BuiltinLexiconName[] = builtinLexiconNames): Lexicon[] {
  return names.map((name) => files[name]());
}
