import { describeStoreContract } from '../testing/store-contract.js';
import { MemoryStore } from './store.js';

describeStoreContract('MemoryStore', () => {
  const store = new MemoryStore();
  return {
    store,
    addContact: (contact, suppressions) => store.addContact(contact, suppressions),
    addTag: (tag) => store.addTag(tag),
    addReach: (relation) => store.addReach(relation),
    addCampaign: (campaign) => store.addCampaign(campaign),
    close: async () => {},
  };
});
