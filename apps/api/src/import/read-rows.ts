import type { Readable } from 'node:stream';
import { QunfaError } from '@qunfa/core';
import { identityHash } from '../services/erased-identities.js';
import { type ColumnTarget, mapColumns } from './columns.js';
import { csvRecords } from './csv-records.js';
import { decoder, type ImportEncoding } from './encoding.js';
import { RowGroups } from './row-groups.js';
import { failedRows, parseRow, type RowError } from './row-parser.js';
import { type CopyTarget, contactLine, copyLine, identityLines } from './staging.js';

/** What reading needs to know. */
export interface ReadSetup {
  encoding: ImportEncoding;
  /** Header → target; unmapped headers use the known names (姓名, 手机, 标签, …). */
  mapping: Record<string, ColumnTarget>;
  /** The workspace's erasure key when it has erased identities: rows carry their hashes. */
  erasureKey: string | undefined;
}

/** Tag ids by name; `create` adds the names not known yet. */
export interface TagIds {
  missing(names: string[]): boolean;
  create(names: string[]): Promise<void>;
  ids(names: string[]): number[];
}

/**
 * Set when the workspace had no contacts' identities when the import began: a row that
 * shares no identity with an earlier row of the file is a new contact, written straight to
 * `contacts` and `contact_identities` under an id reserved here, instead of being staged.
 */
export interface DirectWrite {
  workspaceId: number;
  /** Reserves the next contact ids (in increasing order). */
  reserveIds(): Promise<number[]>;
}

export interface ReadHooks {
  tags: TagIds;
  /** A chunk of COPY text for a table (default: staging); returns a promise when the reader must wait. */
  send(text: string, target?: CopyTarget): Promise<void> | undefined;
  progress(rows: number, failed: number): void;
  direct?: DirectWrite;
}

export interface ReadResult {
  encoding: 'utf8' | 'gb18030';
  /** Data rows read, unreadable ones included. */
  rows: number;
  errors: RowError[];
  /** Rows of groups that share identities, with their group's root row. */
  groups: { row: number; grp: number }[];
  /** Rows written straight as new contacts (`direct`), in row order. */
  written: number;
  /**
   * Rows written straight that later rows of the file joined (a shared identity): their
   * contacts go back to staging, so the merge folds the whole group as it folds any other.
   */
  reopened: { row: number; grp: number; contact: number }[];
}

const PROGRESS_EVERY = 10_000;
/** How much COPY text is gathered before it is sent. */
const CHUNK_CHARS = 1 << 18;

/**
 * Decodes, parses and validates a CSV, and turns its valid rows into COPY text for the
 * staging table. Only `hooks` touch the database; nothing here waits per row unless a tag
 * is new or a chunk of COPY text is on its way.
 */
export async function readRows(input: Readable, setup: ReadSetup, hooks: ReadHooks): Promise<ReadResult> {
  // An upload cut off (or aborted by a stop) before the import reached it has already said so.
  if (input.errored) throw input.errored;
  if (input.destroyed) throw new QunfaError('UNAVAILABLE', 'the upload was closed before it was read');
  const errors: RowError[] = [];
  let encoding: 'utf8' | 'gb18030' = 'utf8';
  let total = 0;
  const groups = new RowGroups();
  const key = setup.erasureKey;
  const decoding = decoder(setup.encoding, (e) => (encoding = e));
  // pipe() forwards no errors: an upload cut off (or aborted by a stop) would leave the loop
  // below waiting forever, its transaction open. The decoder ends the loop with the error.
  input.once('error', (error) => decoding.destroy(error));
  // An upload that failed before reading began (an abort while the import was setting up).
  if (input.errored) decoding.destroy(input.errored);
  // Unreadable records do not count in csv-parse's record numbers: keep where they fell
  // (records before each), so every row is reported as the spreadsheet numbers it.
  const skips: number[] = [];
  const records = csvRecords(input.pipe(decoding) as AsyncIterable<string>, (skip) => {
    const reason =
      skip.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quote is never closed: this row and every row after it could not be read'
        : `not valid CSV: ${skip.message.split(':')[0]}`;
    errors.push({ row: skip.before + skips.length + 1, field: '(row)', reason });
    skips.push(skip.before);
  });
  let skipped = 0;
  // Records read, the header included (what csv-parse's `info.records` counts).
  let read = 0;
  let targets: ColumnTarget[] | undefined;
  let chunk = '';
  const direct = hooks.direct;
  let contactsChunk = '';
  let identitiesChunk = '';
  let ids: number[] = [];
  let nextId = 0;
  let nextIds: Promise<number[]> | undefined;
  // Rows written straight and their contact ids, both increasing (found again by binary search).
  const writtenRows: number[] = [];
  const writtenIds: number[] = [];
  const flush = async () => {
    // Contacts before their identities: the identities' check looks them up.
    if (contactsChunk !== '') await hooks.send(contactsChunk, 'contacts');
    if (identitiesChunk !== '') await hooks.send(identitiesChunk, 'identities');
    if (chunk !== '') await hooks.send(chunk, 'rows');
    contactsChunk = identitiesChunk = chunk = '';
  };
  for await (const batch of records) {
    for (const record of batch) {
      read++;
      if (!targets) {
        targets = mapColumns(record, setup.mapping);
        if (!targets.some((t) => 'identity' in t)) {
          throw new QunfaError(
            'INVALID_INPUT',
            'mapping: no column maps to an identity (phone, email, wxid, …)',
            {
              details: { field: 'mapping', headers: record },
            },
          );
        }
        continue;
      }
      total++;
      while (skipped < skips.length && skips[skipped]! < read) skipped++;
      const parsed = parseRow(read + skipped, record, targets);
      if (Array.isArray(parsed)) {
        for (const error of parsed) errors.push(error);
      } else {
        const alone = groups.add(parsed);
        if (hooks.tags.missing(parsed.tags)) await hooks.tags.create(parsed.tags);
        if (direct && alone) {
          if (nextId === ids.length) {
            ids = await (nextIds ?? direct.reserveIds());
            nextIds = undefined;
            nextId = 0;
          }
          const id = ids[nextId++]!;
          // The next ids are asked for halfway through these: the answer waits behind the
          // COPY text queued so far, and the reader need not wait for it.
          if (nextId === ids.length >> 1 && !nextIds) {
            nextIds = direct.reserveIds();
            // Its failure fails the queue, which reading meets at its next send or at the end.
            nextIds.catch(() => undefined);
          }
          writtenRows.push(parsed.row);
          writtenIds.push(id);
          contactsChunk += contactLine(id, direct.workspaceId, parsed, hooks.tags.ids(parsed.tags));
          identitiesChunk += identityLines(id, direct.workspaceId, parsed);
        } else {
          const hashes = key ? parsed.identities.map((i) => identityHash(key, i)) : [];
          chunk += copyLine({ row: parsed, tagIds: hooks.tags.ids(parsed.tags), hashes });
        }
        if (chunk.length + contactsChunk.length + identitiesChunk.length >= CHUNK_CHARS) await flush();
      }
      if (total % PROGRESS_EVERY === 0) hooks.progress(total, failedRows(errors));
    }
  }
  await flush();
  const members = groups.members();
  const reopened: ReadResult['reopened'] = [];
  for (const { row, grp } of members) {
    const at = indexOf(writtenRows, row);
    if (at !== -1) reopened.push({ row, grp, contact: writtenIds[at]! });
  }
  return {
    encoding,
    rows: total + skips.length,
    errors,
    groups: members,
    written: writtenRows.length,
    reopened,
  };
}

/** Where `value` is in the increasing `list`, or -1. */
function indexOf(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = list[mid]!;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
