/**
 * Which way of respecting Chinese word boundaries the shipped block lexicons should use,
 * measured: precision on the ordinary-copy corpus (sentences that get a block or a revise)
 * and recall on the real violations of blocked-claims.txt, for the block lexicons with and
 * without their allow phrases, with and without `boundary: 'word'` (Intl.Segmenter).
 * Not a test: `npx tsx boundary.ts` prints one line per variant.
 */
import { readFileSync } from 'node:fs';
import { builtinLexicons, createSensitiveWordIndex, lexiconFromTerms } from './src/engine.js';

const corpus = (file: string) =>
  readFileSync(new URL(`../../packages/plugins/src/compliance/corpus/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
const ordinary = corpus('ordinary-copy.txt');
const claims = corpus('blocked-claims.txt');
const blockLexicons = new Set(['financial-claims', 'medical-claims']);

function variant(label: string, allow: boolean, segmenter: boolean) {
  const lexicons = builtinLexicons().map((l) =>
    blockLexicons.has(l.name)
      ? lexiconFromTerms(l.name, l.level, l.terms, {
          code: l.code,
          allow: allow ? l.allow : [],
          traditionalToSimplified: l.traditionalToSimplified,
          boundary: segmenter ? 'word' : 'none',
        })
      : l,
  );
  const index = createSensitiveWordIndex(lexicons);
  const worst = (text: string) => {
    const levels = new Set(index.scan(text).map((h) => h.level));
    return levels.has('block') ? 'block' : levels.has('revise') ? 'revise' : 'ok';
  };
  const falseBlocks = ordinary.filter((t) => worst(t) === 'block');
  const revised = ordinary.filter((t) => worst(t) === 'revise');
  const missed = claims.filter((t) => worst(t) !== 'block');
  const started = performance.now();
  let rounds = 0;
  while (performance.now() - started < 1000 || rounds < 3) {
    for (const t of ordinary) index.scan(t);
    rounds++;
  }
  const perSentenceUs = ((performance.now() - started) * 1000) / rounds / ordinary.length;
  console.log(
    `${label.padEnd(28)} false blocks ${falseBlocks.length}/${ordinary.length}, revise ${revised.length}, ` +
      `missed violations ${missed.length}/${claims.length}, ${perSentenceUs.toFixed(1)} µs/sentence`,
  );
  if (process.argv.includes('--list')) {
    for (const t of falseBlocks) console.log(`  false block: ${t}`);
    for (const t of missed) console.log(`  missed: ${t}`);
  }
}

variant('terms only', false, false);
variant('segmenter', false, true);
variant('allow phrases (shipped)', true, false);
variant('allow phrases + segmenter', true, true);
