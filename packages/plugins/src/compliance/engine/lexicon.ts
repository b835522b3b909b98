import { type FindingLevel, findingLevels, QunfaError } from '@qunfa/core';
import { z } from 'zod';

/** A named list of terms that share a level and a finding code. */
export interface Lexicon {
  /** Stable, kebab-case (`ad-law-absolute`); findings and hits name it. */
  name: string;
  level: FindingLevel;
  /** The finding code clients branch on (`AD_LAW_ABSOLUTE_TERM`). */
  code: string;
  terms: readonly string[];
  /** Phrases that contain a term but are fine (`第一次` for `第一`): a hit inside one is dropped. */
  allow: readonly string[];
  /** Match traditional spellings of the terms too (`轉發到朋友圈`). */
  traditionalToSimplified: boolean;
  /**
   * `word`: a hit must start and end on a boundary of the Chinese word segmentation
   * (`Intl.Segmenter('zh')`), so `保本` is not found in `医保|本年度`. `none` (the default):
   * only Latin-script terms respect word boundaries.
   */
  boundary: LexiconBoundary;
  description?: string;
  /** Where the terms come from (a law, a platform rule, a package). */
  source?: string;
}

export const lexiconBoundaries = ['none', 'word'] as const;
export type LexiconBoundary = (typeof lexiconBoundaries)[number];

export interface LexiconOptions {
  /** Match traditional spellings too. Default true. */
  traditionalToSimplified?: boolean;
  /** Finding code. Default `LEXICON_<NAME>` (`LEXICON_MY_BRANDS`). */
  code?: string;
  /** Phrases that contain a term but are fine. Default none. */
  allow?: readonly string[];
  /** Chinese word-boundary mode of the hits, `none` or `word`. Default `none`. */
  boundary?: LexiconBoundary;
  description?: string;
  source?: string;
}

const lexiconSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a kebab-case name'),
  level: z.enum(findingLevels),
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an UPPER_SNAKE code'),
  terms: z.array(z.string()),
  allow: z.array(z.string()),
  traditionalToSimplified: z.boolean(),
  boundary: z.enum(lexiconBoundaries),
  description: z.string().optional(),
  source: z.string().optional(),
});

function cleanTerms(terms: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const term of terms) {
    const trimmed = term.trim();
    if (trimmed !== '') seen.add(trimmed);
  }
  return [...seen];
}

/** Makes a lexicon from a list of terms: trims them, drops blanks and duplicates, validates the rest. */
export function lexiconFromTerms(
  name: string,
  level: FindingLevel,
  terms: readonly string[],
  options: LexiconOptions = {},
): Lexicon {
  const candidate = {
    name,
    level,
    code: options.code ?? `LEXICON_${name.toUpperCase().replace(/-/g, '_')}`,
    terms: cleanTerms(terms),
    allow: cleanTerms(options.allow ?? []),
    traditionalToSimplified: options.traditionalToSimplified ?? true,
    boundary: options.boundary ?? 'none',
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.source === undefined ? {} : { source: options.source }),
  };
  const result = lexiconSchema.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || '(lexicon)';
    throw new QunfaError('INVALID_INPUT', `lexicon "${name}": ${field}: ${issue?.message ?? 'invalid'}`, {
      details: { lexicon: name, field },
    });
  }
  return result.data;
}
