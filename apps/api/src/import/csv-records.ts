import { once } from 'node:events';
import { parse } from 'csv-parse';

/** A record csv-parse could not read, with how many records were read before it (the header included). */
export interface CsvSkip {
  before: number;
  code: string | undefined;
  message: string;
}

/** The csv-parse options an import reads with; the scanner below answers exactly as they do. */
const OPTIONS = {
  relax_column_count: true,
  skip_records_with_error: true,
  bom: true,
  skip_empty_lines: true,
} as const;

/**
 * The CSV records of a text stream, in batches (one per chunk of text). Lines without a
 * double quote — nearly every line of a contact export — are split on commas here, which
 * costs a fraction of csv-parse; from the first line that needs a real CSV parser (a quote,
 * a line break csv-parse would read differently) to the end, csv-parse reads the rest,
 * told the record delimiter found so far. Records, empty lines skipped and unreadable
 * records (`onSkip`) come out as csv-parse alone would give them for the whole text.
 */
export async function* csvRecords(
  text: AsyncIterable<string>,
  onSkip: (skip: CsvSkip) => void,
): AsyncGenerator<string[][]> {
  const source = text[Symbol.asyncIterator]();
  let carry = '';
  let started = false;
  /** The record delimiter, once the first line break has shown it. */
  let eol: '\n' | '\r\n' | undefined;
  /** Records emitted so far. */
  let emitted = 0;
  let rest: string | undefined;
  for (;;) {
    const next = await source.next();
    let chunk = next.done ? carry : carry + next.value;
    if (!started && chunk !== '') {
      started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (eol === undefined) {
      const nl = chunk.indexOf('\n');
      const cr = chunk.indexOf('\r');
      if (nl === -1 && !next.done) {
        carry = chunk;
        continue;
      }
      const q = chunk.indexOf('"');
      const firstBreak = cr === -1 ? nl : nl === -1 ? cr : Math.min(cr, nl);
      // A quote in the first line (a break inside it is data), or a lone CR first (csv-parse
      // would take it as the delimiter): csv-parse reads it all and finds the delimiter itself.
      if ((q !== -1 && (firstBreak === -1 || q < firstBreak)) || (cr !== -1 && (nl === -1 || cr < nl - 1))) {
        rest = chunk;
        break;
      }
      eol = cr !== -1 && cr === nl - 1 ? '\r\n' : '\n';
    }
    // Whole lines only, unless the text has ended.
    const end = next.done ? chunk.length : chunk.lastIndexOf('\n') + 1;
    const quote = chunk.indexOf('"');
    const batch: string[][] = [];
    let pos = 0;
    let fallback = -1;
    while (pos < end) {
      const nl = chunk.indexOf('\n', pos);
      const lineEnd = nl === -1 || nl >= end ? end : nl;
      if (quote !== -1 && quote < lineEnd) {
        fallback = pos;
        break;
      }
      let stop = lineEnd;
      if (eol === '\r\n' && nl !== -1 && nl < end) {
        // A bare LF inside a CRLF file is data to csv-parse, not a line break.
        if (chunk.charCodeAt(nl - 1) !== 13) {
          fallback = pos;
          break;
        }
        stop = nl - 1;
      }
      if (stop > pos) batch.push(chunk.slice(pos, stop).split(','));
      pos = lineEnd + 1;
    }
    emitted += batch.length;
    if (batch.length > 0) yield batch;
    if (fallback !== -1) {
      rest = chunk.slice(fallback);
      break;
    }
    if (next.done) return;
    carry = chunk.slice(end);
  }
  // csv-parse reads the rest: the line that needed it and everything after.
  const parser = parse({ ...OPTIONS, ...(eol ? { record_delimiter: eol } : {}) });
  const offset = emitted;
  parser.on('skip', (err: Error & { code?: string; records?: number }) => {
    onSkip({ before: offset + (err.records ?? 0), code: err.code, message: err.message });
  });
  // Stops the pump below when the reader leaves early (a bad header, an error).
  const left = new AbortController();
  const pump = (async () => {
    try {
      if (!parser.write(rest)) await once(parser, 'drain', { signal: left.signal });
      for (;;) {
        const next = await source.next();
        if (next.done) break;
        if (!parser.write(next.value)) await once(parser, 'drain', { signal: left.signal });
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    let batch: string[][] = [];
    for await (const record of parser as AsyncIterable<string[]>) {
      batch.push(record);
      if (batch.length >= 1024) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    await pump;
  } finally {
    left.abort();
  }
}
