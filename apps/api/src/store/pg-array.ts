/**
 * PostgreSQL array literals, sent as one text parameter and cast (`::text[]`, `::bigint[]`):
 * a batch's columns go to `unnest(…)` as typed arrays, which the server reads more cheaply
 * than JSON, whichever driver is in use.
 */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  const items = values.map((v) =>
    v === null ? 'NULL' : `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`,
  );
  return `{${items.join(',')}}`;
}

/** Integers (ids, counts) or nulls; anything else is a programming error. */
export function intArrayLiteral(values: readonly (number | null)[]): string {
  for (const v of values) {
    if (v !== null && !Number.isSafeInteger(v)) throw new TypeError(`not an integer: ${v}`);
  }
  return `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;
}
