import { InMemoryEventStore } from '../../lib/index.js';
import { eventStoreContract } from '../contract/event-store.contract.js';

eventStoreContract('InMemoryEventStore', async () => ({
  store: new InMemoryEventStore(),
  cleanup: async () => undefined,
}));
