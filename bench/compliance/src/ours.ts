import { createRequire } from 'node:module';
import { generateCorpus, generateText } from './corpus.js';
import {
  builtinLexicons,
  channelContent,
  createSensitiveWordIndex,
  lexiconFromTerms,
  links,
  sensitiveWords,
} from './engine.js';
import { collectGarbage, median, megabytesPerSecond, percentile, timeRuns } from './measure.js';

export interface OurResults {
  coldBuildMs: number;
  rebuildMs: number;
  retainedMb: number;
  entries: number;
  states: number;
  throughput: { bytes: number; mbPerSecond: number; hits: number }[];
  withoutT2sMbPerSecond: number;
  openccMbPerSecond: number;
  latency: { label: string; p50: number; p99: number; runs: number }[];
}

type Converter = (text: string) => string;

/** The text a child process sees for the same seed and size: a fresh corpus, then the text. */
export function textFor(seed: number, bytes: number): string {
  return generateText(generateCorpus(seed, 20_000), bytes);
}

function latency(label: string, fn: () => unknown, runs: number) {
  for (let i = 0; i < 200; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return { label, p50: percentile(times, 50), p99: percentile(times, 99), runs };
}

export function measureOurs(seed: number, sizes: number[]): OurResults {
  const corpus = generateCorpus(seed, 20_000);
  const lexicon = lexiconFromTerms('bench', 'warn', corpus.terms);

  let started = performance.now();
  createSensitiveWordIndex([lexicon]);
  const coldBuildMs = performance.now() - started;
  const rebuilds: number[] = [];
  for (let i = 0; i < 5; i++) {
    started = performance.now();
    createSensitiveWordIndex([lexicon]);
    rebuilds.push(performance.now() - started);
  }

  collectGarbage();
  const before = process.memoryUsage();
  const index = createSensitiveWordIndex([lexicon]);
  collectGarbage();
  const after = process.memoryUsage();
  const retainedMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1048576;

  const throughput = sizes.map((bytes) => {
    const text = textFor(seed, bytes);
    let hits = 0;
    const times = timeRuns(
      () => {
        hits = index.scan(text).length;
      },
      15,
      5_000,
    );
    return { bytes, mbPerSecond: megabytesPerSecond(Buffer.byteLength(text), median(times)), hits };
  });

  const largest = textFor(seed, sizes[sizes.length - 1]!);
  const exact = createSensitiveWordIndex([
    lexiconFromTerms('bench', 'warn', corpus.terms, { traditionalToSimplified: false }),
  ]);
  const withoutT2sMbPerSecond = megabytesPerSecond(
    Buffer.byteLength(largest),
    median(timeRuns(() => exact.scan(largest), 15, 5_000)),
  );
  const requireFromPlugins = createRequire(
    new URL('../../../packages/plugins/package.json', import.meta.url),
  );
  const opencc = requireFromPlugins('opencc-js/t2cn') as {
    Converter(o: { from: string; to: string }): Converter;
  };
  const toSimplified = opencc.Converter({ from: 't', to: 'cn' });
  const openccMbPerSecond = megabytesPerSecond(
    Buffer.byteLength(largest),
    median(timeRuns(() => toSimplified(largest), 5, 10_000)),
  );

  const message = textFor(seed, 2048);
  const rule = sensitiveWords({ lexicons: [...builtinLexicons(), lexicon] });
  const all = [rule, links(), channelContent()];
  const content = { type: 'text' as const, text: message };
  const ctx = { channels: ['channel:sms', 'channel:wecom'] };
  const latencies = [
    latency('rule:sensitive-words', () => rule.checkContent(content, ctx), 2000),
    latency('all three content rules', () => all.map((r) => r.checkContent(content, ctx)), 2000),
  ];

  return {
    coldBuildMs,
    rebuildMs: median(rebuilds),
    retainedMb,
    entries: index.entryCount,
    states: index.stateCount,
    throughput,
    withoutT2sMbPerSecond,
    openccMbPerSecond,
    latency: latencies,
  };
}
