/** Buckets of the A/B split: a contact falls in one of 0..BUCKETS-1 for a campaign. */
export const VARIANT_BUCKETS = 10_000;

const MOD = 2n ** 31n;
const FIBONACCI_31 = 1_640_531_527n;

/**
 * Stable bucket of a numeric contact id for a seed (0 ≤ seed < 2^31), by Fibonacci hashing.
 * SQL stores compute the same in bigint arithmetic, with no overflow:
 * `(((id % 2147483648) * 1640531527 + seed) % 2147483648) * 10000 / 2147483648`.
 */
export function variantBucket(contactId: string | bigint, seed: number): number {
  const id = typeof contactId === 'bigint' ? contactId : BigInt(contactId);
  const mixed = ((id % MOD) * FIBONACCI_31 + BigInt(seed)) % MOD;
  return Number((mixed * BigInt(VARIANT_BUCKETS)) / MOD);
}

/** Splits the buckets between variants in proportion to their weights, in order. */
export function variantRanges(
  variants: readonly { id: string; weight: number }[],
): { id: string; fromBucket: number; toBucket: number }[] {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let from = 0;
  let cumulative = 0;
  return variants.map((v, i) => {
    cumulative += v.weight;
    const to =
      i === variants.length - 1 ? VARIANT_BUCKETS : Math.round((cumulative / total) * VARIANT_BUCKETS);
    const range = { id: v.id, fromBucket: from, toBucket: to };
    from = to;
    return range;
  });
}
