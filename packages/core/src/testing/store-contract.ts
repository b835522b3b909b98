import { afterEach, beforeEach, describe } from 'vitest';
import { abTestContract } from './store-contract-ab.js';
import { allChannelsContract } from './store-contract-all-channels.js';
import { audienceContract } from './store-contract-audience.js';
import { batchContract } from './store-contract-batches.js';
import { cancelContract } from './store-contract-cancel.js';
import { capacityContract } from './store-contract-capacity.js';
import { earlyReceiptContract } from './store-contract-early-receipts.js';
import { escalationContract } from './store-contract-escalation.js';
import { lateFailureContract } from './store-contract-late-failures.js';
import { planningContract } from './store-contract-planning.js';
import { receiptContract } from './store-contract-receipts.js';
import { seedWorkspaces } from './store-contract-setup.js';
import { stepContract } from './store-contract-steps.js';
import { waitingContract } from './store-contract-waiting.js';
import type { StoreHarness } from './store-harness.js';

/**
 * The `Store` contract as a vitest suite: run it against any implementation with a fresh,
 * empty store per test (`makeHarness` is called before each).
 */
export function describeStoreContract(
  name: string,
  makeHarness: () => StoreHarness | Promise<StoreHarness>,
): void {
  describe(`Store contract: ${name}`, () => {
    let current: StoreHarness | undefined;
    beforeEach(async () => {
      current = await makeHarness();
      await seedWorkspaces(current);
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const harness = () => {
      if (!current) throw new Error('the store harness is not ready');
      return current;
    };
    describe('campaigns and planning', () => planningContract(harness));
    describe('all-channels plans', () => allChannelsContract(harness));
    describe('steps with a daily quota left', () => capacityContract(harness));
    describe('audiences', () => audienceContract(harness));
    describe('batches', () => batchContract(harness));
    describe('cancelling', () => cancelContract(harness));
    describe('receipts', () => receiptContract(harness));
    describe('early receipts', () => earlyReceiptContract(harness));
    describe('escalation', () => escalationContract(harness));
    describe('failures reported after the send', () => lateFailureContract(harness));
    describe('A/B tests', () => abTestContract(harness));
    describe('waiting', () => waitingContract(harness));
    describe('plan steps of batches', () => stepContract(harness));
  });
}
