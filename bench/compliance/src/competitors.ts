import { AhoCorasick as MonyoneAhoCorasick } from '@monyone/aho-corasick';
import { AhoCorasick as MonyoneFastAhoCorasick } from '@monyone/aho-corasick/fast';
import BrunoAhoCorasick from 'ahocorasick';
import { Mint } from 'mint-filter';
import ModernAhoCorasick from 'modern-ahocorasick';
import ModernFastAhoCorasick from 'modern-ahocorasick/fast';
import ModernTextMatcher from 'modern-ahocorasick/text';

/** A matcher from npm, built for a lexicon; `search` returns how many matches it found. */
export interface Competitor {
  name: string;
  /** Whether it folds the text (case, width) before matching. */
  normalises: boolean;
  build(terms: string[]): (text: string) => number;
}

function escapeRegExp(term: string): string {
  return term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const competitors: Competitor[] = [
  {
    name: '@monyone/aho-corasick',
    normalises: false,
    build: (terms) => {
      const ac = new MonyoneAhoCorasick(terms);
      return (text) => ac.matchInText(text).length;
    },
  },
  {
    name: '@monyone/aho-corasick/fast',
    normalises: false,
    build: (terms) => {
      const ac = new MonyoneFastAhoCorasick(terms);
      return (text) => ac.matchInText(text).length;
    },
  },
  {
    name: 'mint-filter',
    normalises: false,
    build: (terms) => {
      const mint = new Mint(terms);
      return (text) => mint.filter(text, { replace: false }).words.length;
    },
  },
  {
    name: 'ahocorasick',
    normalises: false,
    build: (terms) => {
      const ac = new BrunoAhoCorasick(terms);
      return (text) => ac.search(text).reduce((n, [, found]) => n + found.length, 0);
    },
  },
  {
    name: 'modern-ahocorasick',
    normalises: false,
    build: (terms) => {
      const ac = new ModernAhoCorasick(terms);
      return (text) => ac.count(text);
    },
  },
  {
    name: 'modern-ahocorasick/fast',
    normalises: false,
    build: (terms) => {
      const ac = new ModernFastAhoCorasick(terms);
      return (text) => ac.count(text);
    },
  },
  {
    name: 'modern-ahocorasick/text (NFKC + case fold)',
    normalises: true,
    build: (terms) => {
      const ac = new ModernTextMatcher(terms, { normalization: 'NFKC', caseFold: true });
      return (text) => ac.count(text);
    },
  },
  {
    name: 'RegExp alternation',
    normalises: false,
    build: (terms) => {
      const pattern = new RegExp(
        [...terms]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join('|'),
        'g',
      );
      return (text) => {
        let n = 0;
        pattern.lastIndex = 0;
        while (pattern.exec(text)) n++;
        return n;
      };
    },
  },
];
