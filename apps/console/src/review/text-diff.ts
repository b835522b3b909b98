/** A character-level diff of two texts (Chinese has no spaces to split words on). */
export interface DiffSegment {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Past this many cells of the table the changed middle is shown as removed, then added. */
const MAX_CELLS = 4_000_000;

function push(out: DiffSegment[], kind: DiffSegment['kind'], text: string) {
  if (!text) return;
  const last = out.at(-1);
  if (last?.kind === kind) last.text += text;
  else out.push({ kind, text });
}

/** Segments that read as `before` when the added ones are skipped, and as `after` when the removed ones are. */
export function textDiff(before: string, after: string): DiffSegment[] {
  const a = Array.from(before);
  const b = Array.from(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const out: DiffSegment[] = [];
  push(out, 'same', a.slice(0, head).join(''));
  if ((x.length + 1) * (y.length + 1) > MAX_CELLS) {
    push(out, 'removed', x.join(''));
    push(out, 'added', y.join(''));
  } else {
    // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
    const w = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * w);
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lcs[i * w + j] =
          x[i] === y[j]
            ? lcs[(i + 1) * w + j + 1]! + 1
            : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      if (i < x.length && j < y.length && x[i] === y[j]) {
        push(out, 'same', x[i]!);
        i++;
        j++;
      } else if (i < x.length && (j === y.length || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        // Removals before additions, as a reader expects "was … now …".
        push(out, 'removed', x[i]!);
        i++;
      } else {
        push(out, 'added', y[j]!);
        j++;
      }
    }
  }
  push(out, 'same', a.slice(a.length - tail).join(''));
  return out;
}
