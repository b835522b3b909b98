import { type Bitset, resized } from './bitset.js';

/** How a set keeps its positions: by density (the default), or always one way (tests, benchmarks). */
export type SetForm = 'auto' | 'dense' | 'sparse';

/** Index of the first entry of `lows[lo..hi)` not below `low` (binary search). */
function lowerBound(lows: Uint16Array, lo: number, hi: number, low: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lows[mid]! < low) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The positions of one tag: sorted 16-bit lows per block of 65,536 positions while the tag is
 * sparse (2 bytes a position), a dense bitset once it holds more than two positions a word (from
 * there the bitset is the smaller). A tag on one contact in a thousand takes 2 KB a million
 * contacts instead of 125 KB; a workspace with 1,000 such tags held 125 MB a million contacts as
 * bitsets, 2 MB this way.
 *
 * Hand-written rather than roaring-wasm 1.1.0. Measured at 1M positions (node 20, CPU time,
 * median of 50; /tmp scratch script, figures in notes/audience.md): a preview combines each tag once
 * into a dense bitset (the expression is evaluated over bitsets), so what counts is the bytes
 * held and that one read. k = 1,000 / 10,000 / 31,250 positions: roaring 2,136 / 20,136 /
 * 62,636 B (portable size, after runOptimize), read 0.085 / 0.085 / 0.105 ms; a plain sorted
 * Uint32Array 4,000 / 40,000 / 125,000 B, read 0.081 / 0.043 / 0.103 ms; this form holds what
 * roaring's array containers hold (2 B a position + 4 B a block). Roaring's figure does not
 * count its WebAssembly memory, which grows and never shrinks; each of its sets must be freed by
 * hand (a dropped index would leak); reading one back into JavaScript is a copy.
 *
 * Changes come in batches (`apply`): a bulk tagging of 100,000 contacts merges once per tag,
 * not 100,000 inserts into the middle of an array.
 */
export class PositionSet {
  private bits: Bitset | null = null;
  /**
   * The sparse form, as roaring's array containers keep it: positions ascending, each as its
   * low 16 bits (`lows`), those of block b (positions b·65,536 …) at `lows[starts[b]..starts[b + 1])`.
   * 2 bytes a position, plus 4 bytes per 65,536 positions of the workspace.
   */
  private lows = new Uint16Array(0);
  private starts = new Uint32Array(1);
  private n = 0;

  constructor(
    private words: number,
    private readonly form: SetForm = 'auto',
  ) {
    if (form === 'dense') this.bits = new Uint32Array(words);
  }

  get size(): number {
    return this.n;
  }

  get dense(): boolean {
    return this.bits !== null;
  }

  has(pos: number): boolean {
    if (this.bits) return (this.bits[pos >>> 5]! & (1 << (pos & 31))) !== 0;
    const b = pos >>> 16;
    if (b + 1 >= this.starts.length) return false;
    const hi = this.starts[b + 1]!;
    const i = lowerBound(this.lows, this.starts[b]!, hi, pos & 0xffff);
    return i < hi && this.lows[i] === (pos & 0xffff);
  }

  /** The positions held, ascending (the sparse form). */
  private positions(): Uint32Array {
    const out = new Uint32Array(this.n);
    const blocks = this.starts.length - 1;
    for (let b = 0; b < blocks; b++) {
      const base = b * 0x10000;
      for (let i = this.starts[b]!; i < this.starts[b + 1]!; i++) out[i] = base + this.lows[i]!;
    }
    return out;
  }

  /** Keeps `positions[0..n)` (ascending) as the sparse form. */
  private encode(positions: Uint32Array, n: number): void {
    const blocks = n === 0 ? 0 : (positions[n - 1]! >>> 16) + 1;
    const starts = new Uint32Array(blocks + 1);
    const lows = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const pos = positions[i]!;
      lows[i] = pos & 0xffff;
      starts[(pos >>> 16) + 1]!++;
    }
    for (let b = 1; b <= blocks; b++) starts[b]! += starts[b - 1]!;
    this.lows = lows;
    this.starts = starts;
    this.n = n;
  }

  /**
   * Adds `adds` and removes `removes` (disjoint; any order; an add already held or a remove
   * not held is a no-op), then keeps the smaller form.
   */
  apply(adds: readonly number[], removes: readonly number[]): void {
    if (adds.length === 0 && removes.length === 0) return;
    if (this.bits) {
      const b = this.bits;
      for (const pos of removes) {
        const w = pos >>> 5;
        const m = 1 << (pos & 31);
        if ((b[w]! & m) !== 0) {
          b[w] = b[w]! & ~m;
          this.n--;
        }
      }
      for (const pos of adds) {
        const w = pos >>> 5;
        const m = 1 << (pos & 31);
        if ((b[w]! & m) === 0) {
          b[w] = b[w]! | m;
          this.n++;
        }
      }
    } else if (removes.length === 0 && this.ascendingAfterLast(adds)) {
      this.append(adds);
    } else {
      this.merge(adds, removes);
    }
    this.choose(false);
  }

  private last(): number {
    if (this.n === 0) return -1;
    let b = this.starts.length - 2;
    while (this.starts[b]! === this.n) b--;
    return b * 0x10000 + this.lows[this.n - 1]!;
  }

  private ascendingAfterLast(adds: readonly number[]): boolean {
    let last = this.last();
    for (const pos of adds) {
      if (pos <= last) return false;
      last = pos;
    }
    return true;
  }

  /** The load's case: new positions, ascending, after every one held. */
  private append(adds: readonly number[]): void {
    const blocks = Math.max(this.starts.length - 1, (adds.at(-1)! >>> 16) + 1);
    if (blocks + 1 > this.starts.length) {
      const grown = new Uint32Array(blocks + 1).fill(this.n);
      grown.set(this.starts);
      this.starts = grown;
    }
    if (this.n + adds.length > this.lows.length) {
      const grown = new Uint16Array(Math.max(16, this.lows.length * 2, this.n + adds.length));
      grown.set(this.lows.subarray(0, this.n));
      this.lows = grown;
    }
    const added = new Uint32Array(blocks);
    for (const pos of adds) {
      this.lows[this.n++] = pos & 0xffff;
      added[pos >>> 16]!++;
    }
    let shift = 0;
    for (let b = 0; b <= blocks; b++) {
      this.starts[b]! += shift;
      if (b < blocks) shift += added[b]!;
    }
  }

  private merge(adds: readonly number[], removes: readonly number[]): void {
    const held = this.positions();
    const add = Uint32Array.from(adds).sort();
    const gone = Uint32Array.from(removes).sort();
    const out = new Uint32Array(held.length + add.length);
    let o = 0;
    let a = 0;
    let g = 0;
    for (let i = 0; i <= held.length; i++) {
      const h = i < held.length ? held[i]! : Number.POSITIVE_INFINITY;
      while (a < add.length && add[a]! < h) {
        if (o === 0 || out[o - 1] !== add[a]) out[o++] = add[a]!;
        a++;
      }
      if (i === held.length) break;
      while (g < gone.length && gone[g]! < h) g++;
      if (g < gone.length && gone[g] === h) continue;
      if (a < add.length && add[a] === h) a++;
      out[o++] = h;
    }
    this.encode(out, o);
  }

  /** Grows (or cuts) to `words` words: the dense form follows, the sparse one holds no size. */
  resize(words: number): void {
    this.words = words;
    if (this.bits) this.bits = resized(this.bits, words);
    this.choose(false);
  }

  /**
   * Keeps the smaller form (2 bytes a position against 4 a word: dense past two positions a
   * word); `exact` also gives a sparse array back its unused room.
   */
  choose(exact: boolean): void {
    if (this.form === 'dense') return;
    if (this.form === 'auto' && !this.bits && this.n > 2 * this.words) {
      const b = new Uint32Array(this.words);
      for (const pos of this.positions()) b[pos >>> 5]! |= 1 << (pos & 31);
      this.bits = b;
      this.lows = new Uint16Array(0);
      this.starts = new Uint32Array(1);
      return;
    }
    // Back to sparse only well below the crossing (a quarter), or when asked to be exact:
    // a tag hovering at the line would otherwise change form on every change.
    const toSparse = this.form === 'sparse' || (exact ? this.n < 2 * this.words : this.n * 2 < this.words);
    if (this.bits && toSparse) {
      const list = new Uint32Array(this.n);
      let o = 0;
      const b = this.bits;
      for (let w = 0; w < b.length; w++) {
        let word = b[w]!;
        while (word !== 0) {
          const low = word & -word;
          list[o++] = w * 32 + (31 - Math.clz32(low));
          word ^= low;
        }
      }
      this.bits = null;
      this.encode(list, o);
    } else if (exact && !this.bits && this.lows.length > this.n) {
      this.lows = this.lows.slice(0, this.n);
    }
  }

  /** Bytes held. */
  bytes(): number {
    return this.bits ? this.bits.byteLength : this.lows.byteLength + this.starts.byteLength;
  }

  /**
   * `out` ∧= this set, in place (`out` must be the caller's own). An `and` node narrows its
   * accumulator this way instead of reading the tag into a set of its own first: no 125 KB set
   * a million contacts to allocate, zero and collect per tag.
   */
  andInto(out: Bitset): void {
    if (this.bits) {
      const b = this.bits;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! & (b[i] ?? 0);
      return;
    }
    // Positions ascend: each word that holds some keeps only those, the words between are cleared.
    let word = -1;
    let mask = 0;
    const blocks = this.starts.length - 1;
    for (let blk = 0; blk < blocks; blk++) {
      const base = blk * 0x10000;
      for (let i = this.starts[blk]!; i < this.starts[blk + 1]!; i++) {
        const pos = base + this.lows[i]!;
        const w = pos >>> 5;
        if (w >= out.length) break;
        if (w !== word) {
          if (word >= 0) out[word] = out[word]! & mask;
          out.fill(0, word + 1, w);
          word = w;
          mask = 0;
        }
        mask |= 1 << (pos & 31);
      }
    }
    if (word >= 0) out[word] = out[word]! & mask;
    out.fill(0, word + 1);
  }

  /** `out` ∧= ¬this set, in place. */
  andNotInto(out: Bitset): void {
    if (this.bits) {
      const b = this.bits;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! & ~(b[i] ?? 0);
      return;
    }
    const blocks = this.starts.length - 1;
    for (let blk = 0; blk < blocks; blk++) {
      const base = blk * 0x10000;
      for (let i = this.starts[blk]!; i < this.starts[blk + 1]!; i++) {
        const pos = base + this.lows[i]!;
        const w = pos >>> 5;
        if (w < out.length) out[w] = out[w]! & ~(1 << (pos & 31));
      }
    }
  }

  /** Adds this set's positions to `out` (a bitset at least as long as this set's words). */
  orInto(out: Bitset): void {
    if (this.bits) {
      const b = this.bits;
      for (let i = 0; i < b.length; i++) out[i]! |= b[i]!;
      return;
    }
    const blocks = this.starts.length - 1;
    for (let blk = 0; blk < blocks; blk++) {
      const base = blk * 0x10000;
      for (let i = this.starts[blk]!; i < this.starts[blk + 1]!; i++) {
        const pos = base + this.lows[i]!;
        out[pos >>> 5]! |= 1 << (pos & 31);
      }
    }
  }
}
