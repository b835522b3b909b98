import { setFlagsFromString } from 'node:v8';

/** Percent; `HEAP_GROWTH`. */
export const DEFAULT_HEAP_GROWTH = 50;

/**
 * Caps how far V8 lets the old generation grow past what survived the last full collection,
 * in percent. A worker keeps ~50 MB alive, but each batch's rows, results and statement
 * arguments live across its round trips, outlive two young collections and are promoted; V8
 * then waits for up to 4× the live heap (its factor when collections are cheap) before a full
 * collection, and that garbage was most of a worker's peak RSS (bench/pipeline: heap 200 MB →
 * ~110 MB at 50 %). The same holds for `serve` on PGlite, whose imports and index builds make
 * garbage beside the database (1M contacts: peak RSS 734 → ~510 MB). Set before the modules load (the limit of one collection holds until the
 * next). 0 leaves V8's own factor, and so does a `--heap-growing-percent` the operator gave
 * node. Returns whether it set the flag.
 */
export function limitHeapGrowth(percent: number, execArgv: readonly string[] = process.execArgv): boolean {
  if (percent <= 0) return false;
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return false;
  setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
  return true;
}
