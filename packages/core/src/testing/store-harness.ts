import type { Campaign } from '../domain/campaign.js';
import type { Contact, SuppressionReason, Tag, Workspace } from '../domain/contact.js';
import type { Store } from '../ports/store.js';

/**
 * What the store contract needs of an implementation. Every id the contract uses (contacts,
 * campaigns, variants, tags, workspaces) is a numeric string such as '1', so a SQL store can
 * keep them as given in bigint columns.
 */
export interface StoreHarness {
  store: Store;
  /** Called for workspaces '1' and '2' before anything else, for stores that keep them in a table. */
  addWorkspace?(workspace: Workspace): Promise<void>;
  addContact(contact: Contact, suppressions?: SuppressionReason[]): Promise<void>;
  /** Called for every tag before a contact that carries it, for stores that keep tags in a table. */
  addTag?(tag: Tag): Promise<void>;
  /**
   * Records that the contact is reached on `channel` through `account` (a follow, a friendship, a
   * customer relation), or was (`ended`). Optional: the reach contract is skipped without it.
   */
  addReach?(relation: { contactId: string; channel: string; account: string; ended: boolean }): Promise<void>;
  addCampaign(campaign: Campaign): Promise<void>;
  close(): Promise<void>;
}
