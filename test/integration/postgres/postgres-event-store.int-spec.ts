import { afterAll, describe } from 'vitest';
import { PostgresEventStore, type EventStore } from '../../../lib/index.js';
import { eventStoreContract } from '../../contract/event-store.contract.js';
import { DATABASE_URL, dropSchema, postgresAvailable, uniqueSchema } from './postgres-test-db.js';

const available = await postgresAvailable();
const schema = uniqueSchema();
let tableCount = 0;

describe.skipIf(!available)('PostgresEventStore', () => {
  afterAll(() => dropSchema(schema));

  // A fresh table per test; the second writer has its own pool, as another app instance would.
  eventStoreContract('PostgresEventStore', async () => {
    const tableName = `events_${++tableCount}`;
    const store = new PostgresEventStore({ connectionString: DATABASE_URL, schema, tableName });
    await store.initialize();
    const others: PostgresEventStore[] = [];
    return {
      store,
      connectAnotherWriter: async (): Promise<EventStore> => {
        const other = new PostgresEventStore({ connectionString: DATABASE_URL, schema, tableName });
        others.push(other);
        await other.initialize();
        return other;
      },
      cleanup: async () => {
        await Promise.all([store, ...others].map((s) => s.close()));
      },
    };
  });
});
