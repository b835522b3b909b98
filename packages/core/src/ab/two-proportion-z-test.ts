import { erfc } from './normal-cdf.js';

export interface Proportion {
  /** Recipients the rate is measured over. */
  trials: number;
  /** Of those, how many count as a success (delivered, opened, clicked). */
  successes: number;
}

export interface ZTestResult {
  /** (p1 − p2) / standard error, with the pooled proportion. */
  z: number;
  /** Two-sided: the chance of a difference at least this large if both rates were equal. */
  pValue: number;
}

/**
 * The pooled two-proportion z-test of H0: p1 = p2, two-sided. Undefined when either side
 * has no trials. When the pooled rate is 0 or 1 both samples agree exactly: z = 0, p = 1.
 */
export function twoProportionZTest(a: Proportion, b: Proportion): ZTestResult | undefined {
  if (a.trials <= 0 || b.trials <= 0) return undefined;
  const p1 = a.successes / a.trials;
  const p2 = b.successes / b.trials;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const variance = pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials);
  if (variance <= 0) return { z: 0, pValue: 1 };
  const z = (p1 - p2) / Math.sqrt(variance);
  // 2 · (1 − Φ(|z|)) = erfc(|z| / √2), without cancellation in the tail.
  return { z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}
