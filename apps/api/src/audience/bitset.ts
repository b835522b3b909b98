/**
 * Dense bitsets over workspace-local positions (0..n-1), as Uint32Array words. Positions are
 * dense, so a million contacts take 125 KB per set and AND / OR / popcount run in tens of µs.
 */
export type Bitset = Uint32Array<ArrayBuffer>;

/** Where an evaluation takes its working sets from: all of one index's words, the caller's own. */
export interface SetSource {
  /** A set holding no position. */
  empty(): Bitset;
  /** A set holding `b`'s positions (`b` of the same words). */
  copy(b: Bitset): Bitset;
}

export const wordsFor = (bits: number) => (bits + 31) >>> 5;

export function setBit(b: Bitset, pos: number, on: boolean): void {
  const w = pos >>> 5;
  const mask = 1 << (pos & 31);
  b[w] = on ? b[w]! | mask : b[w]! & ~mask;
}

export const hasBit = (b: Bitset, pos: number) => (b[pos >>> 5]! & (1 << (pos & 31))) !== 0;

/** A copy of `b` with `words` words (grown with zeros, or cut). */
export function resized(b: Bitset, words: number): Bitset {
  const out = new Uint32Array(words);
  out.set(b.length > words ? b.subarray(0, words) : b);
  return out;
}

export function and(a: Bitset, b: Bitset): Bitset {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & (b[i] ?? 0);
  return out;
}

export function or(a: Bitset, b: Bitset): Bitset {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! | (b[i] ?? 0);
  return out;
}

/** `a` without `b`. */
export function andNot(a: Bitset, b: Bitset): Bitset {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & ~(b[i] ?? 0);
  return out;
}

/** `a` ∧= `b`, in place (`a` must be the caller's own). */
export function andInto(a: Bitset, b: Bitset): Bitset {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! & (b[i] ?? 0);
  return a;
}

/** `a` ∨= `b`, in place. */
export function orInto(a: Bitset, b: Bitset): Bitset {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! | (b[i] ?? 0);
  return a;
}

/** `a` = `live` ∧ ¬`a`, in place: the complement of `a` within `live`. */
export function complementWithin(a: Bitset, live: Bitset): Bitset {
  for (let i = 0; i < a.length; i++) a[i] = live[i]! & ~a[i]!;
  return a;
}

/** `a` ∧= ¬`b`, in place. */
export function andNotInto(a: Bitset, b: Bitset): Bitset {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! & ~(b[i] ?? 0);
  return a;
}

/** |`a` ∧ `b`| without building the intersection. */
export function countAnd(a: Bitset, b: Bitset): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const w = a[i]! & (b[i] ?? 0);
    if (w !== 0) n += popcount(w);
  }
  return n;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function count(b: Bitset): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) n += popcount(b[i]!);
  return n;
}

/** The first `limit` set positions, ascending. */
export function firstPositions(b: Bitset, limit: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length && out.length < limit; i++) {
    let w = b[i]!;
    while (w !== 0 && out.length < limit) {
      const low = w & -w;
      out.push(i * 32 + (31 - Math.clz32(low)));
      w ^= low;
    }
  }
  return out;
}

/** The set of positions where `test` holds, among `n`. */
export function where(n: number, words: number, test: (pos: number) => boolean): Bitset {
  const out = new Uint32Array(words);
  for (let pos = 0; pos < n; pos++) if (test(pos)) out[pos >>> 5]! |= 1 << (pos & 31);
  return out;
}
