/**
 * An Aho-Corasick automaton stored as a double-array trie: the child of state `s` on
 * symbol `c` is `t = base[s] + c` when `check[t] === s`. Symbols are dense ids ≥ 1
 * (0 means "not in any pattern" and always leads back to the root). Built straight from
 * the sorted patterns, breadth first, so failure links follow in creation order.
 */
export interface DoubleArrayAutomaton {
  base: Int32Array;
  check: Int32Array;
  fail: Int32Array;
  /** The nearest state on the failure chain (itself included) where a pattern ends; 0: none. */
  report: Int32Array;
  /** The state where each pattern ends, by pattern index. */
  patternState: Int32Array;
  stateCount: number;
}

interface Growable {
  base: Int32Array;
  check: Int32Array;
  parent: Int32Array;
  label: Int32Array;
  /** `free[i]` leads to the first free slot ≥ i (a union-find with path compression). */
  free: Int32Array;
}

function grow(arrays: Growable, size: number): void {
  let capacity = arrays.check.length;
  if (size <= capacity) return;
  while (capacity < size) capacity *= 2;
  const base = new Int32Array(capacity);
  base.set(arrays.base);
  const check = new Int32Array(capacity).fill(-1);
  check.set(arrays.check);
  const parent = new Int32Array(capacity);
  parent.set(arrays.parent);
  const label = new Int32Array(capacity);
  label.set(arrays.label);
  const free = new Int32Array(capacity);
  free.set(arrays.free);
  for (let i = arrays.free.length; i < capacity; i++) free[i] = i;
  Object.assign(arrays, { base, check, parent, label, free });
}

function firstFree(arrays: Growable, from: number): number {
  let root = from;
  for (;;) {
    if (root + 1 >= arrays.free.length) grow(arrays, root + 2);
    const next = arrays.free[root]!;
    if (next === root) break;
    root = next;
  }
  const free = arrays.free;
  for (let p = from; p !== root; ) {
    const next = free[p]!;
    free[p] = root;
    p = next;
  }
  return root;
}

function comparePatterns(a: Int32Array, b: Int32Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Builds the automaton; every pattern must be non-empty. `alphabetSize` is the largest symbol + 1. */
export function buildDoubleArray(
  patterns: readonly Int32Array[],
  alphabetSize: number,
): DoubleArrayAutomaton {
  const order = patterns.map((_, i) => i).sort((x, y) => comparePatterns(patterns[x]!, patterns[y]!));
  const patternState = new Int32Array(patterns.length);
  const initial = Math.max(1024, alphabetSize * 2, patterns.length * 4);
  const arrays: Growable = {
    base: new Int32Array(initial),
    check: new Int32Array(initial).fill(-1),
    parent: new Int32Array(initial),
    label: new Int32Array(initial),
    free: Int32Array.from({ length: initial }, (_, i) => i),
  };
  arrays.check[0] = 0;
  arrays.free[0] = 1;
  const states: number[] = [0];
  // Work items: state, range [lo, hi) of `order` sharing its prefix, depth.
  const queue: number[] = [0, 0, order.length, 0];
  let maxIndex = 0;
  const labels: number[] = [];
  const starts: number[] = [];
  for (let head = 0; head < queue.length; head += 4) {
    const state = queue[head]!;
    let lo = queue[head + 1]!;
    const hi = queue[head + 2]!;
    const depth = queue[head + 3]!;
    while (lo < hi && patterns[order[lo]!]!.length === depth) patternState[order[lo++]!] = state;
    if (lo >= hi) continue;
    labels.length = 0;
    starts.length = 0;
    for (let i = lo; i < hi; i++) {
      const symbol = patterns[order[i]!]![depth]!;
      if (labels.length === 0 || labels[labels.length - 1] !== symbol) {
        labels.push(symbol);
        starts.push(i);
      }
    }
    starts.push(hi);
    const first = labels[0]!;
    const last = labels[labels.length - 1]!;
    let pos = firstFree(arrays, first + 1);
    let base: number;
    for (;;) {
      grow(arrays, pos + last - first + 1);
      base = pos - first;
      let fits = true;
      for (let k = 1; k < labels.length; k++) {
        if (arrays.check[base + labels[k]!] !== -1) {
          fits = false;
          break;
        }
      }
      if (fits) break;
      pos = firstFree(arrays, pos + 1);
    }
    arrays.base[state] = base;
    for (let k = 0; k < labels.length; k++) {
      const child = base + labels[k]!;
      arrays.check[child] = state;
      arrays.free[child] = child + 1;
      arrays.parent[child] = state;
      arrays.label[child] = labels[k]!;
      if (child > maxIndex) maxIndex = child;
      states.push(child);
      queue.push(child, starts[k]!, starts[k + 1]!, depth + 1);
    }
  }
  return linkFailures(arrays, states, patternState, maxIndex, alphabetSize);
}

function linkFailures(
  arrays: Growable,
  states: number[],
  patternState: Int32Array,
  maxIndex: number,
  alphabetSize: number,
): DoubleArrayAutomaton {
  // Pad so that base[s] + symbol never reads past the end (out-of-bounds reads deoptimise).
  let maxBase = 0;
  for (const s of states) if (arrays.base[s]! > maxBase) maxBase = arrays.base[s]!;
  const size = Math.max(maxIndex, maxBase + alphabetSize) + 1;
  const base = new Int32Array(size);
  base.set(arrays.base.subarray(0, Math.min(size, arrays.base.length)));
  const check = new Int32Array(size).fill(-1);
  check.set(arrays.check.subarray(0, Math.min(size, arrays.check.length)));
  const fail = new Int32Array(size);
  const terminal = new Uint8Array(size);
  for (const s of patternState) terminal[s] = 1;
  const report = new Int32Array(size);
  for (let i = 1; i < states.length; i++) {
    const s = states[i]!;
    const p = arrays.parent[s]!;
    const c = arrays.label[s]!;
    let f = 0;
    if (p !== 0) {
      let g = fail[p]!;
      for (;;) {
        const t = base[g]! + c;
        if (check[t] === g) {
          f = t;
          break;
        }
        if (g === 0) break;
        g = fail[g]!;
      }
    }
    fail[s] = f;
    report[s] = terminal[s] ? s : report[f]!;
  }
  return { base, check, fail, report, patternState, stateCount: states.length };
}
