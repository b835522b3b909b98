import type { ContactIdentity } from '@qunfa/core';
import { identityProblem, normalizeIdentity } from '../services/identity.js';
import type { ColumnTarget } from './columns.js';

/** One valid row, normalised. */
export interface ImportRow {
  /** 1-based data row number (the header is row 0). */
  row: number;
  name: string | null;
  region: string | null;
  province: string | null;
  city: string | null;
  district: string | null;
  device: string | null;
  lastActiveAt: string | null;
  tags: string[];
  attributes: Record<string, string>;
  identities: ContactIdentity[];
}

/** Why a row was left out; the error report lists these. */
export interface RowError {
  row: number;
  field: string;
  reason: string;
}

const TAG_SEPARATORS = /[|,;，；、]/;
const clip = (v: string, max: number) => (v.length > max ? v.slice(0, max) : v);

/** A date, or date and time, without a zone, as spreadsheets write them: 2026/1/5 8:00. */
const LOCAL_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const two = (v: string | undefined) => (v ?? '0').padStart(2, '0');

const digit = (v: string, at: number) => v.charCodeAt(at) - 48;
const number = (v: string, from: number, to: number) => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = digit(v, i);
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
};

/**
 * Whether `value` is a UTC time exactly as `toISOString` writes it (2026-02-20T17:05:33.294Z,
 * what most exports hold) with every field in range: `parseTimeByDate` would give it back
 * unchanged, so it is taken without building a Date. Anything else (a day past the month's
 * end, which Date rolls over, hour 24…) takes the general path. The Date round trip took
 * 0.76–0.9 s of the 8.7–10.3 s of CPU reading 1M rows took (a CPU profile).
 */
function isCanonicalUtc(v: string): boolean {
  if (v.length !== 24 || v.charCodeAt(23) !== 90 || v.charCodeAt(10) !== 84) return false;
  if (v[4] !== '-' || v[7] !== '-' || v[13] !== ':' || v[16] !== ':' || v[19] !== '.') return false;
  const year = number(v, 0, 4);
  const month = number(v, 5, 7);
  const day = number(v, 8, 10);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > days) return false;
  const hour = number(v, 11, 13);
  const minute = number(v, 14, 16);
  const second = number(v, 17, 19);
  return (
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59 &&
    number(v, 20, 23) >= 0
  );
}

/** A time as an ISO string in UTC, or undefined when it is not one (or out of PostgreSQL's range). */
export function parseTime(value: string): string | undefined {
  return isCanonicalUtc(value) ? value : parseTimeByDate(value);
}

/** `parseTime` through a Date, for every form it reads. */
export function parseTimeByDate(value: string): string | undefined {
  // ISO 8601 wants two-digit fields and a time before an offset: "2026-1-5+08:00" does not parse.
  const local = LOCAL_TIME.exec(value);
  const normalised = local
    ? `${local[1]}-${two(local[2])}-${two(local[3])}T${two(local[4])}:${two(local[5])}:${two(local[6])}+08:00`
    : value;
  const at = new Date(normalised);
  const year = at.getUTCFullYear();
  // NaN for what does not parse; PostgreSQL reads neither year 0 nor the expanded years
  // (+010000-…) that toISOString writes.
  return year >= 1 && year <= 9999 ? at.toISOString() : undefined;
}

/** Rows a list of errors is about: a row with several bad fields counts once. */
export function failedRows(errors: readonly RowError[]): number {
  return new Set(errors.map((e) => e.row)).size;
}

/**
 * Validates and normalises one CSV record: the row, or every problem it has (each bad field,
 * not only the first). Dates without a zone are Beijing time; a row needs at least one
 * identity, so it can be merged and reached.
 */
export function parseRow(row: number, record: string[], targets: ColumnTarget[]): ImportRow | RowError[] {
  const out: ImportRow = {
    row,
    name: null,
    region: null,
    province: null,
    city: null,
    district: null,
    device: null,
    lastActiveAt: null,
    tags: [],
    attributes: {},
    identities: [],
  };
  if (record.length !== targets.length) {
    return [
      { row, field: '(row)', reason: `has ${record.length} columns, the header has ${targets.length}` },
    ];
  }
  const errors: RowError[] = [];
  let badIdentity = false;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    const value = record[i]!.trim();
    if (value === '' || 'ignore' in target) continue;
    if (value.includes('\u0000')) {
      errors.push({
        row,
        field: fieldOf(target),
        reason: 'holds a NUL character (U+0000), which cannot be stored',
      });
      continue;
    }
    if ('identity' in target) {
      const normalised = normalizeIdentity(target.identity, value);
      if (normalised === undefined) {
        badIdentity = true;
        errors.push({ row, field: target.identity, reason: identityProblem(target.identity) });
      } else if (!out.identities.some((x) => x.kind === target.identity && x.value === normalised)) {
        out.identities.push({ kind: target.identity, value: normalised });
      }
    } else if ('attribute' in target) {
      out.attributes[target.attribute] = clip(value, 1000);
    } else if (target.field === 'tags') {
      // Distinct names in the order they come (what a Set gave), without the arrays between.
      const tags: string[] = [];
      let long = false;
      for (const part of value.split(TAG_SEPARATORS)) {
        const tag = part.trim();
        if (tag === '' || tags.includes(tag)) continue;
        tags.push(tag);
        if (tag.length > 64) long = true;
      }
      out.tags = tags;
      if (long) {
        errors.push({ row, field: 'tags', reason: 'a tag name is longer than 64 characters' });
      }
    } else if (target.field === 'lastActiveAt') {
      const at = parseTime(value);
      if (at) out.lastActiveAt = at;
      else errors.push({ row, field: 'lastActiveAt', reason: 'not a date or time' });
    } else if (target.field === 'device') {
      out.device = clip(value.toLowerCase(), 32);
    } else {
      out[target.field] = clip(value, target.field === 'name' ? 200 : 100);
    }
  }
  // A bad identity already says why the row has none that works.
  if (out.identities.length === 0 && !badIdentity) {
    errors.push({
      row,
      field: '(identities)',
      reason: 'no phone, e-mail or WeChat id: the contact could not be merged or reached',
    });
  }
  return errors.length > 0 ? errors : out;
}

function fieldOf(target: Exclude<ColumnTarget, { ignore: true }>): string {
  if ('identity' in target) return target.identity;
  if ('attribute' in target) return `attribute:${target.attribute}`;
  return target.field;
}
