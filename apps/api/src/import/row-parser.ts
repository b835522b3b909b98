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

function parseTime(value: string): string | undefined {
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
  for (const [i, target] of targets.entries()) {
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
      out.tags = [
        ...new Set(
          value
            .split(TAG_SEPARATORS)
            .map((t) => t.trim())
            .filter((t) => t !== ''),
        ),
      ];
      if (out.tags.some((t) => t.length > 64)) {
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
