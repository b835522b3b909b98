import { type RecordedSuppressionReason, tagHierarchy } from '@qunfa/core';
import { type Bitset, hasBit, resized, type SetSource, setBit, wordsFor } from './bitset.js';
import { PositionSet, type SetForm } from './position-set.js';

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
  /** A customer group (`kind = 'group'`), not a person; a contact's kind never changes. */
  group?: boolean;
}

/** A tag of the workspace and its parent. */
export interface IndexedTag {
  id: number;
  parentId: number | null;
}

/**
 * Bytes one entry of a `Map<number, number>` takes in V8 (measured: 29.4 at a million small
 * integer keys, `node --expose-gc`, heap before and after). An estimate, used only to keep the
 * indexes of many workspaces under a memory budget.
 */
const MAP_ENTRY_BYTES = 30;

/**
 * Working sets an index keeps between evaluations (`borrowSets`): a preview of a few terms takes
 * two or three. Each is 125 KB a million contacts; allocating one cost ~0.2 ms of CPU (zeroing,
 * and the collections its garbage brought on), more than an AND over all its words (~35 µs).
 */
const SPARE_SETS = 4;

type Codes = Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | Int32Array<ArrayBuffer>;

/**
 * Dictionary-encoded text column: code 0 is null. No set per value: a city column of 300 values
 * kept as 300 dense bitsets held 300 × n/8 bytes (37.5 MB at a million contacts, against 4 MB for
 * the codes); a preview finds the positions of one value by scanning the codes (`evaluateIndex`,
 * over the positions its sets left). Hand-written rather than compressed sets (roaring): the
 * codes are already there, so this costs no memory at all per value, and the scan is one tight
 * loop. The codes
 * are as narrow as the dictionary allows (a byte up to 255 values, two up to 65,535): a
 * province or device column takes 1 B a contact, not 4.
 */
class CodedColumn {
  codes: Codes = new Uint8Array(0);
  private readonly dict = new Map<string, number>();
  code(value: string | null): number {
    if (value === null) return 0;
    let c = this.dict.get(value);
    if (c === undefined) {
      c = this.dict.size + 1;
      this.dict.set(value, c);
      if (c > 0xff && this.codes instanceof Uint8Array)
        this.codes = this.widened(new Uint16Array(this.codes.length));
      if (c > 0xffff && this.codes instanceof Uint16Array)
        this.codes = this.widened(new Int32Array(this.codes.length));
    }
    return c;
  }
  private widened<T extends Codes>(out: T): T {
    out.set(this.codes);
    return out;
  }
  /** The same codes in an array of `length` entries (grown with nulls, or cut). */
  resize(length: number): void {
    const out = new (this.codes.constructor as new (n: number) => Codes)(length);
    out.set(this.codes.length > length ? this.codes.subarray(0, length) : this.codes);
    this.codes = out;
  }
  /** The code of a value, or -1 when no contact ever had it. */
  lookup(value: string): number {
    return this.dict.get(value) ?? -1;
  }
}

/**
 * One workspace's contacts in memory, by dense position: a set of positions per tag (sparse or
 * dense by the tag's density, `PositionSet`), a bitset per recorded suppression, coded region
 * and device columns (no set per value), and last activity. Contacts keep their position for
 * the life of the index; a removed contact only leaves `live`.
 *
 * An id finds its position by binary search over `ids` while they ascend with the position
 * (the load reads contacts in id order, and later contacts mostly have higher ids); an id that
 * arrives out of order goes into a small map. A `Map` of every id took ~30 B a contact, the
 * largest single part of the index.
 */
export class WorkspaceIndex {
  size = 0;
  words = 0;
  ids = new Float64Array(0);
  /** `ids[0..sorted)` ascend strictly; positions from `sorted` on are found in `outOfOrder`. */
  private sorted = 0;
  private readonly outOfOrder = new Map<number, number>();
  live: Bitset = new Uint32Array(0);
  /** Positions of customer groups: a group audience is held to them, a person audience leaves them out. */
  groups: Bitset = new Uint32Array(0);
  readonly tags = new Map<number, PositionSet>();
  readonly suppressions = new Map<RecordedSuppressionReason, Bitset>();
  readonly province = new CodedColumn();
  readonly city = new CodedColumn();
  readonly district = new CodedColumn();
  readonly device = new CodedColumn();
  lastActive = new Float64Array(0);
  /** Sets evaluations handed back (`borrowSets`), all of `words` words. */
  private spares: Bitset[] = [];

  /** The workspace's tags as of the last sync (`setTags`), every id of them. */
  private tagIds: ReadonlySet<number> = new Set();
  private under: (tagId: string) => ReadonlySet<string> = (id) => new Set([id]);

  /** `tagForm` is how tag sets keep their positions: by density unless a test asks otherwise. */
  constructor(private readonly tagForm: SetForm = 'auto') {}

  /** The position of a contact id, if the index ever held it. */
  positionOf(id: number): number | undefined {
    const ids = this.ids;
    let lo = 0;
    let hi = this.sorted;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.sorted && ids[lo] === id) return lo;
    return this.outOfOrder.get(id);
  }

  private resize(capacity: number): void {
    const words = wordsFor(capacity);
    const length = words * 32;
    const f64 = (a: Float64Array) => {
      const out = new Float64Array(length);
      out.set(a.length > length ? a.subarray(0, length) : a);
      return out;
    };
    this.ids = f64(this.ids);
    this.lastActive = f64(this.lastActive);
    for (const col of [this.province, this.city, this.district, this.device]) col.resize(length);
    this.live = resized(this.live, words);
    this.groups = resized(this.groups, words);
    for (const set of this.tags.values()) set.resize(words);
    for (const [k, b] of this.suppressions) this.suppressions.set(k, resized(b, words));
    this.spares = [];
    this.words = words;
  }

  private grow(minBits: number): void {
    this.resize(Math.max(1024, minBits, this.ids.length * 2));
  }

  /**
   * Gives back the room the arrays keep for growth (up to half of them after a doubling) and
   * lets every tag set take its smaller form: for after a full load.
   */
  compact(): void {
    if (wordsFor(this.size) < this.words) this.resize(this.size);
    for (const set of this.tags.values()) set.choose(true);
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
    this.upsertMany([c]);
  }

  /**
   * Adds or replaces contacts; their tag sets change once per tag for the whole batch. A
   * contact's id appears at most once in `contacts`.
   */
  upsertMany(contacts: readonly IndexedContact[]): void {
    const adds = new Map<number, number[]>();
    const removes = new Map<number, number[]>();
    const push = (into: Map<number, number[]>, tag: number, pos: number) => {
      const list = into.get(tag);
      if (list) list.push(pos);
      else into.set(tag, [pos]);
    };
    for (const c of contacts) {
      let pos = this.positionOf(c.id);
      const tagIds = new Set(c.tagIds);
      if (pos === undefined) {
        pos = this.size++;
        if (pos >= this.ids.length) this.grow(pos + 1);
        if (pos === this.sorted && (pos === 0 || this.ids[pos - 1]! < c.id)) this.sorted++;
        else this.outOfOrder.set(c.id, pos);
        this.ids[pos] = c.id;
      } else {
        for (const [tag, set] of this.tags) if (!tagIds.has(tag) && set.has(pos)) push(removes, tag, pos);
        for (const b of this.suppressions.values()) setBit(b, pos, false);
      }
      for (const tag of tagIds) if (!this.tags.get(tag)?.has(pos)) push(adds, tag, pos);
      setBit(this.live, pos, true);
      setBit(this.groups, pos, c.group === true);
      for (const r of c.suppressions) setBit(this.bitsetOf(this.suppressions, r), pos, true);
      this.province.codes[pos] = this.province.code(c.province);
      this.city.codes[pos] = this.city.code(c.city);
      this.district.codes[pos] = this.district.code(c.district);
      this.device.codes[pos] = this.device.code(c.device);
      this.lastActive[pos] = c.lastActiveMs ?? Number.NaN;
    }
    for (const tag of new Set([...adds.keys(), ...removes.keys()])) {
      let set = this.tags.get(tag);
      if (!set) {
        set = new PositionSet(this.words, this.tagForm);
        this.tags.set(tag, set);
      }
      set.apply(adds.get(tag) ?? [], removes.get(tag) ?? []);
    }
  }

  /** Drops a contact that no longer exists. */
  remove(id: number): void {
    const pos = this.positionOf(id);
    if (pos !== undefined && hasBit(this.live, pos)) setBit(this.live, pos, false);
  }

  /** The memory this index holds, in bytes: its arrays exactly, its out-of-order map estimated. */
  bytes(): number {
    let total = this.outOfOrder.size * MAP_ENTRY_BYTES;
    total += this.ids.byteLength + this.lastActive.byteLength + this.live.byteLength + this.groups.byteLength;
    for (const set of this.tags.values()) total += set.bytes();
    for (const b of this.suppressions.values()) total += b.byteLength;
    for (const b of this.spares) total += b.byteLength;
    for (const col of [this.province, this.city, this.district, this.device]) total += col.codes.byteLength;
    return total;
  }

  /**
   * The workspace's tags, read with each sync: which ids a preview may name, and the tree
   * `tagUnder` walks. Tags are few (at most `max_tags`), so they are read whole every time.
   */
  setTags(tags: readonly IndexedTag[]): void {
    this.tagIds = new Set(tags.map((t) => t.id));
    this.under = tagHierarchy(
      tags.map((t) => ({ id: String(t.id), parentId: t.parentId === null ? null : String(t.parentId) })),
    );
  }

  /** True when the id is one of the workspace's tags (as of the last sync). */
  hasTag(id: number): boolean {
    return this.tagIds.has(id);
  }

  /** The tag and every tag nested under it. */
  tagsUnder(id: number): number[] {
    return [...this.under(String(id))].map(Number);
  }

  /** An empty set sized like every other set of this index. */
  empty(): Bitset {
    return new Uint32Array(this.words);
  }

  /** New sets, for a caller that keeps what it is given. */
  fresh(): SetSource {
    return { empty: () => this.empty(), copy: (b) => b.slice() };
  }

  /**
   * Sets for one evaluation that `release` hands back for the next: taken and released within
   * one synchronous stretch (no await between), and not used after `release`.
   */
  borrowSets(): SetSource & { release(): void } {
    const taken: Bitset[] = [];
    const take = () => {
      let b = this.spares.pop();
      // A set from before a resize (the index grew) is the wrong size: dropped.
      while (b && b.length !== this.words) b = this.spares.pop();
      b ??= new Uint32Array(this.words);
      taken.push(b);
      return b;
    };
    return {
      empty: () => take().fill(0),
      copy: (src) => {
        const b = take();
        if (src.length === b.length) b.set(src);
        else b.fill(0).set(src.subarray(0, b.length));
        return b;
      },
      release: () => {
        for (const b of taken)
          if (b.length === this.words && this.spares.length < SPARE_SETS) this.spares.push(b);
        taken.length = 0;
      },
    };
  }
}
