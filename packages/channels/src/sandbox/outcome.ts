import { type FailureClass, failureClasses, permanentFailureClasses } from '@qunfa/core';
import { unitDraw } from './hash.js';

/** Messages of the simulated failures: provider-like, with no personal data. */
export const simulatedErrors: Readonly<Record<FailureClass, string>> = {
  rate_limited: 'sandbox: simulated rate limit, retry later',
  network: 'sandbox: simulated network timeout',
  invalid_recipient: 'sandbox: simulated invalid recipient',
  blocked_by_user: 'sandbox: simulated block by the recipient',
  account_restricted: 'sandbox: simulated restriction of the sender account',
  content_rejected: 'sandbox: simulated content review rejection',
  unknown: 'sandbox: simulated unknown provider error',
  unconfirmed: 'sandbox: simulated withdrawal of an unconfirmed message',
};

export interface DrawInput {
  seed: number;
  rates: Readonly<Record<FailureClass, number>>;
  messageId: string;
  /** The recipient's address: what a real provider judges a recipient by. */
  address: string;
  /** What a content review judges: the same text to the same address meets the same verdict. */
  contentKey: string;
  /** Salt of the transient draw: '' keeps every attempt's outcome the same, a key redraws per attempt. */
  attemptSalt: string;
}

/** The class a uniform draw falls into when classes take consecutive slices of [0, 1). */
function slice(classes: readonly FailureClass[], rate: (c: FailureClass) => number, u: number) {
  let edge = 0;
  for (const c of classes) {
    edge += rate(c);
    if (u < edge) return c;
  }
  return undefined;
}

/** Permanent failures that belong to the recipient: an invalid number stays invalid, a block stays. */
const byAddress = failureClasses.filter((c) => permanentFailureClasses.has(c) && c !== 'content_rejected');
const transient = failureClasses.filter((c) => !permanentFailureClasses.has(c));

/**
 * The simulated failure of one message, or undefined when it is accepted. Permanent classes
 * are drawn from the address (and, for `content_rejected`, the content), never from the
 * delivery: the same number fails the same way in every campaign and every resend, as it would
 * at a real provider. Transient classes come from (seed, message id, salt). Each class keeps
 * its configured overall rate; nothing else enters the draw (not call order, timing or batch).
 */
export function drawFailure(input: DrawInput): FailureClass | undefined {
  const { seed, rates, messageId, address, contentKey, attemptSalt } = input;
  const fixed = slice(byAddress, (c) => rates[c], unitDraw(seed, 'permanent', address));
  if (fixed) return fixed;
  const addressTotal = byAddress.reduce((sum, c) => sum + rates[c], 0);
  if (addressTotal >= 1) return undefined;
  // Conditional rates, so that each class keeps its overall share of all messages.
  const rejected = rates.content_rejected / (1 - addressTotal);
  if (unitDraw(seed, 'content', address, contentKey) < rejected) return 'content_rejected';
  const permanentTotal = addressTotal + rates.content_rejected;
  if (permanentTotal >= 1) return undefined;
  const scale = 1 / (1 - permanentTotal);
  return slice(transient, (c) => rates[c] * scale, unitDraw(seed, 'transient', messageId, attemptSalt));
}

/** A latency in [min, max] ms for one call, drawn from the seed and the call's key. */
export function drawLatency(seed: number, range: { min: number; max: number }, callKey: string): number {
  return range.min + Math.floor(unitDraw(seed, 'latency', callKey) * (range.max - range.min + 1));
}

/** A provider message id for an accepted message; `occurrence` tells repeated non-idempotent sends apart. */
export function providerMessageId(seed: number, messageId: string, key: string, occurrence: number): string {
  const parts = [messageId, key, String(occurrence)];
  const hi = unitDraw(seed, 'pmid-hi', ...parts) * 2 ** 53;
  const lo = unitDraw(seed, 'pmid-lo', ...parts) * 2 ** 53;
  return `sbx_${hi.toString(36).padStart(11, '0')}${lo.toString(36).padStart(11, '0')}`;
}
