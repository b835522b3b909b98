import { parse } from 'csv-parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvSkip, csvRecords } from './csv-records.js';

/** What csv-parse alone reads from the whole text, with the records before each skip. */
async function reference(text: string): Promise<{ records: string[][]; skips: number[] }> {
  const parser = parse({
    relax_column_count: true,
    skip_records_with_error: true,
    bom: true,
    skip_empty_lines: true,
  });
  const skips: number[] = [];
  parser.on('skip', (err: { records?: number }) => skips.push(err.records ?? 0));
  parser.end(text);
  const records: string[][] = [];
  for await (const record of parser as AsyncIterable<string[]>) records.push(record);
  return { records, skips };
}

async function scanned(chunks: string[]): Promise<{ records: string[][]; skips: number[] }> {
  const skips: number[] = [];
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const records: string[][] = [];
  for await (const batch of csvRecords(source(), (s: CsvSkip) => skips.push(s.before)))
    for (const record of batch) records.push(record);
  return { records, skips };
}

/** Cuts a text at the given fractions: the scanner must not depend on where chunks end. */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((f) => Math.floor(f * text.length)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out;
}

describe('csvRecords', () => {
  it('reads what csv-parse reads, however the text is cut (quotes, CR, LF, CRLF, BOM, empty lines)', async () => {
    const cell = fc.stringMatching(/^[a-z0-9 甲乙\r\n",]{0,6}$/);
    const line = fc.array(cell, { minLength: 1, maxLength: 4 }).map((cells) => cells.join(','));
    const text = fc
      .tuple(
        fc.boolean(),
        fc.array(line, { maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
      )
      .map(([bom, lines, eol, trailing]) => `${bom ? '\uFEFF' : ''}${lines.join(eol)}${trailing ? eol : ''}`);
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        async (t, at) => {
          expect(await scanned(cut(t, at))).toEqual(await reference(t));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('splits a plain file itself and hands the rest to csv-parse from the first quoted line', async () => {
    const plain = Array.from({ length: 3000 }, (_, i) => `甲${i},1380013${String(i).padStart(4, '0')},a|b`);
    const text = `姓名,手机,标签\r\n${plain.join('\r\n')}\r\n"乙, 丙",13800138000,"x\r\ny"\r\n\r\nlast,1,2`;
    const out = await scanned(cut(text, [0.1, 0.5, 0.99]));
    expect(out).toEqual(await reference(text));
    expect(out.records.at(-2)).toEqual(['乙, 丙', '13800138000', 'x\r\ny']);
    expect(out.records).toHaveLength(3003);
  });

  it('counts unreadable records after a fallback from the start of the file, as csv-parse numbers them', async () => {
    const text = 'a,b\n1,2\n3,4\n5,"6\n7,8"x\n9,10\n';
    const out = await scanned([text]);
    expect(out).toEqual(await reference(text));
    expect(out.skips.length).toBeGreaterThan(0);
  });
});
