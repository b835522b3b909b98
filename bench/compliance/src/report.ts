import type { CompetitorRun } from '../run.js';
import type { OurResults } from './ours.js';

interface Report {
  seed: number;
  sizes: number[];
  ours: OurResults;
  runs: CompetitorRun[];
}

const fixed = (n: number, digits = 1) => n.toFixed(digits);
const sizeLabel = (bytes: number) => (bytes >= 1048576 ? `${bytes / 1048576} MB` : `${bytes / 1024} KB`);
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

function throughputTable({ sizes, ours, runs }: Report): { lines: string[]; fastest?: CompetitorRun } {
  const last = sizeLabel(sizes[sizes.length - 1]!);
  const lines = [
    row([
      'Matcher',
      'Normalises',
      'Build (ms)',
      ...sizes.map((s) => `${sizeLabel(s)} (MB/s)`),
      `Ours ÷ it at ${last}, same process`,
      `Matches at ${last}`,
    ]),
    row(['---', '---', '---:', ...sizes.map(() => '---:'), '---:', '---:']),
    row([
      '**Qunfa sensitive-word index**',
      'yes: width, case, separators, marks, t→s',
      fixed(ours.rebuildMs),
      ...ours.throughput.map((t) => `**${fixed(t.mbPerSecond)}**`),
      '—',
      ours.throughput[ours.throughput.length - 1]!.hits,
    ]),
  ];
  let fastest: CompetitorRun | undefined;
  for (const name of [...new Set(runs.map((r) => r.name))]) {
    const mine = runs.filter((r) => r.name === name);
    const largest = mine[mine.length - 1]!;
    if (largest.mbPerSecond !== undefined && largest.mbPerSecond > (fastest?.mbPerSecond ?? 0))
      fastest = largest;
    const build = mine.find((r) => r.buildMs !== undefined)?.buildMs;
    lines.push(
      row([
        name,
        mine[0]!.normalises ? 'partly: NFKC, case' : 'no',
        build === undefined ? '—' : fixed(build),
        ...mine.map((r) => (r.mbPerSecond === undefined ? (r.failure ?? '—') : fixed(r.mbPerSecond, 2))),
        largest.mbPerSecond && largest.oursMbPerSecond
          ? `${fixed(largest.oursMbPerSecond / largest.mbPerSecond, 1)}×`
          : '—',
        largest.matches ?? '—',
      ]),
    );
  }
  return { lines, ...(fastest ? { fastest } : {}) };
}

/** The benchmark as markdown: the throughput table, then our own figures against their targets. */
export function formatReport(report: Report): string {
  const { seed, ours } = report;
  const { lines: table, fastest } = throughputTable(report);
  const [small, large] = [ours.throughput[0]!, ours.throughput[ours.throughput.length - 1]!];
  const lines = [
    `Seed ${seed}; lexicon: 20,000 terms (80 % CJK of 2–6 characters, 20 % Latin words); ` +
      'mixed Chinese/English text; MB = 2^20 bytes of UTF-8.',
    '',
    ...table,
    '',
    row(['Our figure', 'Value', 'Target']),
    row(['---', '---:', '---']),
    row([
      `Speed-up at ${sizeLabel(large.bytes)} over the fastest competitor (${fastest?.name ?? 'none'}), same process`,
      fastest?.oursMbPerSecond && fastest.mbPerSecond
        ? `${fixed(fastest.oursMbPerSecond / fastest.mbPerSecond, 2)}×`
        : '—',
      '≥ 2×',
    ]),
    row([
      `Linearity: MB/s at ${sizeLabel(large.bytes)} ÷ MB/s at ${sizeLabel(small.bytes)}`,
      fixed(large.mbPerSecond / small.mbPerSecond, 2),
      '≈ 1',
    ]),
    row(['Rebuild for 20,000 terms (median of 5)', `${fixed(ours.rebuildMs)} ms`, '≤ 500 ms']),
    row(['First build in the process (with the character tables)', `${fixed(ours.coldBuildMs)} ms`, '—']),
    row(['Memory retained by the index (heap + typed arrays)', `${fixed(ours.retainedMb)} MB`, '—']),
    row(['Index size', `${ours.entries} entries, ${ours.states} states`, '—']),
    ...ours.latency.map((l) =>
      row([
        `checkContent, 2 KB message, ${l.label} (p50 / p99 of ${l.runs})`,
        `${fixed(l.p50, 3)} / ${fixed(l.p99, 3)} ms`,
        'p99 ≤ 2 ms',
      ]),
    ),
    row([
      `Ours at ${sizeLabel(large.bytes)}, lexicon without t→s`,
      `${fixed(ours.withoutT2sMbPerSecond)} MB/s`,
      '—',
    ]),
    row([
      `opencc-js Converter t→cn alone, same ${sizeLabel(large.bytes)}`,
      `${fixed(ours.openccMbPerSecond)} MB/s`,
      '—',
    ]),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
