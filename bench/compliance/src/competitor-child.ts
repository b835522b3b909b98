/**
 * Runs one competitor on one text size in its own process, so that the parent can kill it
 * after 60 s, and runs our index on the same text in the same process, alternating with
 * it, so that the two are compared under the same machine load. Prints one JSON line.
 */
import { competitors } from './competitors.js';
import { generateCorpus, generateText } from './corpus.js';
import { createSensitiveWordIndex, lexiconFromTerms } from './engine.js';
import { median } from './measure.js';

const [name, bytesArg, seedArg] = process.argv.slice(2);
const competitor = competitors.find((c) => c.name === name);
if (!competitor) throw new Error(`unknown competitor ${name}`);
const corpus = generateCorpus(Number(seedArg), 20_000);
const text = generateText(corpus, Number(bytesArg));
const started = performance.now();
const search = competitor.build(corpus.terms);
const buildMs = performance.now() - started;
const index = createSensitiveWordIndex([lexiconFromTerms('bench', 'warn', corpus.terms)]);

let matches = 0;
const theirs: number[] = [];
const ours: number[] = [];
const time = (fn: () => void, into: number[]) => {
  const t = performance.now();
  fn();
  into.push(performance.now() - t);
};
const searchTheirs = () => {
  matches = search(text);
};
const searchOurs = () => {
  index.scan(text);
};
searchTheirs();
searchOurs();
searchOurs();
const budget = performance.now();
while (theirs.length < 7 && (theirs.length < 1 || performance.now() - budget < 10_000)) {
  time(searchTheirs, theirs);
  time(searchOurs, ours);
}
const bytes = Buffer.byteLength(text);
process.stdout.write(
  `${JSON.stringify({ bytes, buildMs, searchMs: median(theirs), oursMs: median(ours), matches })}\n`,
);
