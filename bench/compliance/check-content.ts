/**
 * Throughput of `checkContent` with the default content rules (rule:sensitive-words with the
 * shipped lexicons, rule:links, rule:channel-content) over the ordinary-copy corpus of
 * packages/plugins, one sentence a call, and over the corpus joined into one message.
 * Not a test: `npx tsx check-content.ts` prints the figures.
 */
import { readFileSync } from 'node:fs';
import { channelContent, links, sensitiveWords } from './src/engine.js';
import { median, timeRuns } from './src/measure.js';

const corpusFile = new URL('../../packages/plugins/src/compliance/corpus/ordinary-copy.txt', import.meta.url);
const sentences = readFileSync(corpusFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));
const rules = [sensitiveWords(), links(), channelContent()];
const ctx = { channels: ['channel:sms'] };
const check = (text: string) => rules.map((rule) => rule.checkContent({ type: 'text', text }, ctx));

const perSentence = median(timeRuns(() => sentences.forEach(check), 31, 20_000));
const joined = sentences.join('\n');
const bytes = Buffer.byteLength(joined);
const whole = median(timeRuns(() => check(joined), 31, 20_000));

console.log(`sentences: ${sentences.length}, ${bytes} bytes joined`);
console.log(
  `per sentence: ${((sentences.length / perSentence) * 1000).toFixed(0)} checks/s (median ${perSentence.toFixed(2)} ms for the corpus)`,
);
console.log(`joined: ${(bytes / 1048576 / (whole / 1000)).toFixed(2)} MB/s (median ${whole.toFixed(2)} ms)`);
