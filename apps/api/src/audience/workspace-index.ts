import type { RecordedSuppressionReason } from '@qunfa/core';
import { type Bitset, hasBit, resized, setBit, wordsFor } from './bitset.js';

/** What the index keeps of one contact: everything a non-attribute predicate reads. */
export interface IndexedContact {
  id: number;
  tagIds: number[];
  province: string | null;
  city: string | null;
  district: string | null;
  device: string | null;
  /** Epoch milliseconds, or null when never active. */
  lastActiveMs: number | null;
  suppressions: RecordedSuppressionReason[];
}

/**
 * Bytes one entry of a `Map<number, number>` takes in V8 (measured: 29.4 at a million small
 * integer keys, `node --expose-gc`, heap before and after). An estimate, used only to keep the
 * indexes of many workspaces under a memory budget.
 */
const MAP_ENTRY_BYTES = 30;

/**
 * Dictionary-encoded text column: code 0 is null. No set per value: a city column of 300 values
 * kept as 300 dense bitsets held 300 × n/8 bytes (37.5 MB at a million contacts, against 4 MB for
 * the codes); the positions of one value are found by one scan of the codes when a preview asks
 * (`positionsOf`). Hand-written rather than compressed sets (roaring): the codes are already
 * there, so this costs no memory at all per value, and the scan is one tight loop.
 */
class CodedColumn {
  codes = new Int32Array(0);
  private readonly dict = new Map<string, number>();
  code(value: string | null): number {
    if (value === null) return 0;
    let c = this.dict.get(value);
    if (c === undefined) {
      c = this.dict.size + 1;
      this.dict.set(value, c);
    }
    return c;
  }
  /** The code of a value, or -1 when no contact ever had it. */
  lookup(value: string): number {
    return this.dict.get(value) ?? -1;
  }
  /** Positions among the first `size` whose code is `code`, as a bitset of `words` words. */
  positionsOf(code: number, size: number, words: number): Bitset {
    const out: Bitset = new Uint32Array(words);
    const codes = this.codes;
    for (let pos = 0; pos < size; pos++) if (codes[pos] === code) out[pos >>> 5]! |= 1 << (pos & 31);
    return out;
  }
}

/**
 * One workspace's contacts in memory, by dense position: a bitset per tag and per recorded
 * suppression, coded region and device columns (no set per value), and last activity. Contacts keep their
 * position for the life of the index; a removed contact only leaves `live`.
 */
export class WorkspaceIndex {
  size = 0;
  words = 0;
  readonly position = new Map<number, number>();
  ids = new Float64Array(0);
  live: Bitset = new Uint32Array(0);
  readonly tags = new Map<number, Bitset>();
  readonly suppressions = new Map<RecordedSuppressionReason, Bitset>();
  readonly province = new CodedColumn();
  readonly city = new CodedColumn();
  readonly district = new CodedColumn();
  readonly device = new CodedColumn();
  lastActive = new Float64Array(0);

  private grow(minBits: number): void {
    const bits = Math.max(1024, minBits, this.ids.length * 2);
    const words = wordsFor(bits);
    const grownF = (a: Float64Array) => {
      const out = new Float64Array(words * 32);
      out.set(a);
      return out;
    };
    this.ids = grownF(this.ids);
    this.lastActive = grownF(this.lastActive);
    for (const col of [this.province, this.city, this.district, this.device]) {
      const out = new Int32Array(words * 32);
      out.set(col.codes);
      col.codes = out;
    }
    this.live = resized(this.live, words);
    for (const [k, b] of this.tags) this.tags.set(k, resized(b, words));
    for (const [k, b] of this.suppressions) this.suppressions.set(k, resized(b, words));
    this.words = words;
  }

  private bitsetOf<K>(map: Map<K, Bitset>, key: K): Bitset {
    let b = map.get(key);
    if (!b) {
      b = new Uint32Array(this.words);
      map.set(key, b);
    }
    return b;
  }

  /** Adds or replaces a contact. */
  upsert(c: IndexedContact): void {
    let pos = this.position.get(c.id);
    if (pos === undefined) {
      pos = this.size++;
      if (pos >= this.ids.length) this.grow(pos + 1);
      this.position.set(c.id, pos);
      this.ids[pos] = c.id;
    } else {
      for (const b of this.tags.values()) setBit(b, pos, false);
      for (const b of this.suppressions.values()) setBit(b, pos, false);
    }
    setBit(this.live, pos, true);
    for (const t of c.tagIds) setBit(this.bitsetOf(this.tags, t), pos, true);
    for (const r of c.suppressions) setBit(this.bitsetOf(this.suppressions, r), pos, true);
    this.setCoded(this.province, pos, c.province);
    this.setCoded(this.city, pos, c.city);
    this.setCoded(this.district, pos, c.district);
    this.setCoded(this.device, pos, c.device);
    this.lastActive[pos] = c.lastActiveMs ?? Number.NaN;
  }

  private setCoded(col: CodedColumn, pos: number, value: string | null): void {
    col.codes[pos] = col.code(value);
  }

  /** Drops a contact that no longer exists. */
  remove(id: number): void {
    const pos = this.position.get(id);
    if (pos !== undefined && hasBit(this.live, pos)) setBit(this.live, pos, false);
  }

  /** The memory this index holds, in bytes: its arrays exactly, its id → position map estimated. */
  bytes(): number {
    let total = this.position.size * MAP_ENTRY_BYTES;
    total += this.ids.byteLength + this.lastActive.byteLength + this.live.byteLength;
    for (const sets of [this.tags, this.suppressions]) for (const b of sets.values()) total += b.byteLength;
    for (const col of [this.province, this.city, this.district, this.device]) total += col.codes.byteLength;
    return total;
  }

  /** An empty set sized like every other set of this index. */
  empty(): Bitset {
    return new Uint32Array(this.words);
  }
}
