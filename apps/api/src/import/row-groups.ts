import type { ContactIdentity } from '@qunfa/core';

/**
 * The first row of each identity of a file, exact, without a JavaScript object per identity:
 * an open-addressing hash table whose keys are the identities' UTF-16 code units copied into
 * one growing array. A `Map` of `Map`s keyed by kind then value (what this replaced) cost
 * 1.8 s of the 10.3 s of CPU reading 1M rows (1.33M identities) took, and much of the 3.2 s
 * of garbage collection besides: 1.33M strings and map entries kept alive in the old
 * generation, written to from the young one. With this table reading took 8.3–8.7 µs of
 * CPU a row instead of 10.3–10.8 (runs alternating on one loaded machine), the table itself
 * 0.8 s of it.
 */
export class IdentityRows {
  private kinds = new Map<string, number>();
  /** Slot → entry + 1 (0: empty). */
  private slots = new Int32Array(1 << 16);
  private mask = (1 << 16) - 1;
  private count = 0;
  private hashes = new Int32Array(1 << 15);
  private kindOf = new Uint8Array(1 << 15);
  private rows = new Int32Array(1 << 15);
  /** Where each entry's value starts in `chars`; entry i ends where i + 1 starts. */
  private starts = new Int32Array((1 << 15) + 1);
  private chars = new Uint16Array(1 << 20);
  private used = 0;

  /**
   * The first row that had this identity; when none did, records `row` as its first and
   * returns -1.
   */
  firstOrAdd(kind: string, value: string, row: number): number {
    let k = this.kinds.get(kind);
    if (k === undefined) {
      k = this.kinds.size + 1;
      if (k > 255) throw new Error('more than 255 identity kinds');
      this.kinds.set(kind, k);
    }
    // FNV-1a over the kind and the code units.
    let h = (0x811c9dc5 ^ k) | 0;
    h = Math.imul(h, 0x01000193);
    const n = value.length;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    const { slots, mask, hashes, kindOf, starts, chars } = this;
    let at = h & mask;
    for (;;) {
      const e = slots[at]!;
      if (e === 0) break;
      const entry = e - 1;
      if (hashes[entry] === h && kindOf[entry] === k) {
        const from = starts[entry]!;
        if (starts[entry + 1]! - from === n) {
          let same = true;
          for (let i = 0; i < n; i++)
            if (chars[from + i] !== value.charCodeAt(i)) {
              same = false;
              break;
            }
          if (same) return this.rows[entry]!;
        }
      }
      at = (at + 1) & mask;
    }
    const entry = this.count;
    if (entry + 1 >= this.hashes.length) this.growEntries();
    if (this.used + n > this.chars.length) {
      const more = new Uint16Array(Math.max(this.chars.length * 2, this.used + n));
      more.set(this.chars.subarray(0, this.used));
      this.chars = more;
    }
    const into = this.chars;
    for (let i = 0; i < n; i++) into[this.used + i] = value.charCodeAt(i);
    this.used += n;
    this.hashes[entry] = h;
    this.kindOf[entry] = k;
    this.rows[entry] = row;
    this.starts[entry + 1] = this.used;
    this.slots[at] = entry + 1;
    this.count++;
    // At most half full: probes stay short.
    if (this.count * 2 > this.slots.length) this.rehash();
    return -1;
  }

  private growEntries(): void {
    const size = this.hashes.length * 2;
    const grow = <T extends Int32Array | Uint8Array>(a: T, length: number): T => {
      const b = new (a.constructor as new (n: number) => T)(length);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, size);
    this.kindOf = grow(this.kindOf, size);
    this.rows = grow(this.rows, size);
    this.starts = grow(this.starts, size + 1);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let at = this.hashes[entry]! & mask;
      while (slots[at] !== 0) at = (at + 1) & mask;
      slots[at] = entry + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Union-find over row numbers: rows sharing an identity end in one group, rooted at the earliest. */
export class RowGroups {
  private readonly parent = new Map<number, number>();
  private readonly first = new IdentityRows();
  find(r: number): number {
    let root = r;
    while (this.parent.has(root)) root = this.parent.get(root)!;
    return root;
  }
  /** Adds a row; true when it shares no identity with an earlier row (a group of its own, so far). */
  add(row: { row: number; identities: readonly ContactIdentity[] }): boolean {
    let alone = true;
    for (const i of row.identities) {
      const other = this.first.firstOrAdd(i.kind, i.value, row.row);
      if (other !== -1) {
        alone = false;
        const a = this.find(other);
        const b = this.find(row.row);
        if (a !== b) this.parent.set(Math.max(a, b), Math.min(a, b));
      }
    }
    return alone;
  }
  /** Every row of a group with more than one row, with its root. */
  members(): { row: number; grp: number }[] {
    const out = new Map<number, number>();
    for (const r of this.parent.keys()) {
      const root = this.find(r);
      out.set(r, root);
      out.set(root, root);
    }
    return [...out].map(([row, grp]) => ({ row, grp }));
  }
}
