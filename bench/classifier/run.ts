/**
 * The reply classifier on its labelled set: precision and recall per class on the dev part
 * (which tuned the lexicons) and the held-out part (which did not), and classifications a
 * second on one core. Not a test: `pnpm bench` (or `npx tsx run.ts`) prints the tables.
 */
import { loadavg } from 'node:os';
import { type Evaluation, evaluateClassifier, labelledReplies, ruleClassifier } from '@qunfa/plugins';

const pct = (v: number | null) => (v === null ? '   –  ' : `${(v * 100).toFixed(1).padStart(5)}%`);

function table(name: string, e: Evaluation): string {
  const lines = [
    `${name}: ${e.total} messages, accuracy ${pct(e.accuracy)}`,
    '| class | support | precision | recall |',
    '|---|---:|---:|---:|',
    ...e.classes.map((c) => `| ${c.label} | ${c.support} | ${pct(c.precision)} | ${pct(c.recall)} |`),
    ...e.errors.map((x) => `  ✗ ${x.label} → ${x.predicted}: ${JSON.stringify(x.text)}`),
  ];
  return lines.join('\n');
}

const classifier = ruleClassifier();
const dev = labelledReplies('dev');
const holdout = labelledReplies('holdout');
console.log(table('dev', await evaluateClassifier(classifier, dev)));
console.log();
console.log(table('holdout', await evaluateClassifier(classifier, holdout)));
console.log();
console.log(table('all', await evaluateClassifier(classifier, [...dev, ...holdout])));

const texts = [...dev, ...holdout].map((r) => r.text);
for (const t of texts) classifier.classify({ text: t });
const rounds = 200;
const started = performance.now();
for (let r = 0; r < rounds; r++) for (const t of texts) classifier.classify({ text: t });
const seconds = (performance.now() - started) / 1000;
console.log();
console.log(
  `throughput: ${Math.round((rounds * texts.length) / seconds).toLocaleString('en')} classifications/s ` +
    `(${rounds} × ${texts.length} messages, one core); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
