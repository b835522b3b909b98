/** Reproducible benchmark inputs: a seeded lexicon of CJK and Latin terms, and mixed text. */

/** mulberry32: small, fast, and the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const syllables = [
  'ka',
  'lo',
  'mi',
  'ter',
  'son',
  'ba',
  're',
  'qui',
  'dex',
  'pla',
  'nu',
  'vor',
  'sta',
  'en',
  'tis',
];

export interface Corpus {
  terms: string[];
  /** Characters of the CJK pool that both terms and text draw from. */
  cjkPool: string[];
  latinWords: string[];
  random: () => number;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function latinWord(random: () => number): string {
  let word = '';
  const parts = 1 + Math.floor(random() * 4);
  for (let i = 0; i < parts; i++) word += pick(random, syllables);
  return word;
}

/** `size` distinct terms: 80 % CJK of 2–6 characters, 20 % Latin words of 4–12 letters. */
export function generateCorpus(seed: number, size: number): Corpus {
  const random = seededRandom(seed);
  const cjkPool: string[] = [];
  const poolSet = new Set<number>();
  while (cjkPool.length < 3000) {
    const cp = 0x4e00 + Math.floor(random() * (0x9fa5 - 0x4e00));
    if (!poolSet.has(cp)) {
      poolSet.add(cp);
      cjkPool.push(String.fromCodePoint(cp));
    }
  }
  const latinWords: string[] = [];
  for (let i = 0; i < 3000; i++) latinWords.push(latinWord(random));
  const terms = new Set<string>();
  while (terms.size < size) {
    if (random() < 0.8) {
      const length = 2 + Math.floor(random() * 5);
      let term = '';
      for (let i = 0; i < length; i++) term += pick(random, cjkPool);
      terms.add(term);
    } else {
      const word = latinWord(random) + latinWord(random);
      if (word.length >= 4) terms.add(word.slice(0, 12));
    }
  }
  return { terms: [...terms], cjkPool, latinWords, random };
}

const punctuation = ['，', '。', '！', ', ', '. ', ' ', '、', '：'];

/** Mixed Chinese/English text of at least `bytes` UTF-8 bytes, a lexicon term planted about every 400 bytes. */
export function generateText(corpus: Corpus, bytes: number): string {
  const { random } = corpus;
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    let part: string;
    const roll = random();
    if (roll < 0.03) part = pick(random, corpus.terms);
    else if (roll < 0.6) {
      part = '';
      const length = 4 + Math.floor(random() * 20);
      for (let i = 0; i < length; i++) part += pick(random, corpus.cjkPool);
    } else {
      const words: string[] = [];
      const length = 1 + Math.floor(random() * 6);
      for (let i = 0; i < length; i++) words.push(pick(random, corpus.latinWords));
      part = ` ${words.join(' ')} `;
    }
    part += pick(random, punctuation);
    parts.push(part);
    size += Buffer.byteLength(part);
  }
  return parts.join('');
}
