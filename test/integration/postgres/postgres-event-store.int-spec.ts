import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BrokerConnectionError,
  ConfigurationError,
  EventValidationError,
  OptimisticLockError,
  PostgresEventStore,
  type EventStore,
  type StoredEvent,
} from '../../../lib/index.js';
import { CART, ContractNoted, cartEvents, eventStoreContract } from '../../contract/event-store.contract.js';
import { DATABASE_URL, dropSchema, postgresAvailable, uniqueSchema } from './postgres-test-db.js';
import { fixturePath, runTsChild } from './run-ts-child.js';

const available = await postgresAvailable();
const schema = uniqueSchema();
let tableCount = 0;

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const stored of iterable) out.push(stored);
  return out;
}

describe('PostgresEventStore without the optional pg package', () => {
  it('loads from the package root and throws MissingDependencyError from initialize()', { timeout: 90_000 }, async () => {
    const child = await runTsChild('initialize-without-pg.ts', [], ['--import', fixturePath('hide-pg.mjs')]);
    expect(child.code, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({
      name: 'MissingDependencyError',
      message: "PostgresEventStore needs the package 'pg'. Install it: npm install pg",
    });
  });
});

describe.skipIf(!available)('PostgresEventStore', () => {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  afterAll(async () => {
    await admin.end();
    await dropSchema(schema);
  });

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

  async function withStore<T>(run: (store: PostgresEventStore) => Promise<T>, options: { outbox?: boolean } = {}): Promise<T> {
    const store = new PostgresEventStore({ connectionString: DATABASE_URL, schema, tableName: `events_${++tableCount}`, ...options });
    try {
      await store.initialize();
      return await run(store);
    } finally {
      await store.close();
    }
  }

  it('rejects bad options at construction with ConfigurationError', () => {
    expect(() => new PostgresEventStore({})).toThrow(ConfigurationError);
    expect(() => new PostgresEventStore({ connectionString: DATABASE_URL, schema: 'x"; DROP TABLE y; --' })).toThrow(/schema/);
    expect(() => new PostgresEventStore({ connectionString: DATABASE_URL, tableName: 'a'.repeat(41) })).toThrow(/tableName/);
    expect(() => new PostgresEventStore({ connectionString: DATABASE_URL, readPageSize: 0 })).toThrow(/readPageSize/);
  });

  it('fails to connect with a retriable BrokerConnectionError naming host:port, never the password', async () => {
    const store = new PostgresEventStore({ connectionString: 'postgres://app:s3cr3t-Pa55@127.0.0.1:1/test' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await store.initialize().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BrokerConnectionError);
      expect(error).toMatchObject({ retriable: true });
      expect((error as Error).message).toContain('127.0.0.1:1/test');
      expect(inspect(error, { depth: 5 })).not.toContain('s3cr3t');
    }
    await store.close();
  });

  it('creates its tables once, even when several instances initialize at the same time', async () => {
    const tableName = `events_${++tableCount}`;
    const stores = Array.from(
      { length: 4 },
      () => new PostgresEventStore({ connectionString: DATABASE_URL, schema: `${schema}_m`, tableName, outbox: true }),
    );
    try {
      await Promise.all(stores.map((store) => store.initialize()));
      await stores[0].initialize();
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [`${schema}_m`]);
      expect(rows[0].n).toBe(2);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await dropSchema(`${schema}_m`);
    }
  });

  it('leaves a pool it was given open on close()', async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    const store = new PostgresEventStore({ pool, schema, tableName: `events_${++tableCount}` });
    await store.initialize();
    await store.close();
    await store.close();
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await pool.end();
  });

  it('validates payloads before inserting anything', async () => {
    await withStore(async (store) => {
      const id = randomUUID();
      const bad = new ContractNoted({ aggregateId: id, text: 42 as unknown as string });
      await expect(store.appendEvents(id, CART, [bad], 0)).rejects.toThrow(EventValidationError);
      expect((await store.getEvents(id)).version).toBe(0);
    });
  });

  it('names the global position of a row that no longer decodes', async () => {
    await withStore(async (store) => {
      const id = randomUUID();
      await store.appendEvents(id, CART, cartEvents(id, 0, 3), 0);
      const [, second] = await collect(store.readAll());
      await admin.query(`UPDATE ${store.tables.events} SET payload = jsonb_set(payload, '{text}', '17') WHERE global_position = $1`, [
        second.globalPosition,
      ]);
      const readError = await collect(store.readAll()).catch((e: unknown) => e);
      expect(readError).toBeInstanceOf(EventValidationError);
      expect((readError as Error).message).toContain(`global position ${second.globalPosition} in "${schema}"."`);
      await expect(store.getEvents(id)).rejects.toThrow(`global position ${second.globalPosition}`);

      await admin.query(
        `UPDATE ${store.tables.events} SET payload = jsonb_set(payload, '{event_type}', '"Nope"') WHERE global_position = $1`,
        [second.globalPosition],
      );
      await expect(store.getEvents(id)).rejects.toThrow(EventValidationError);
      await expect(store.getEvents(id)).rejects.toThrow(
        /Unknown event type: 'Nope'[\s\S]*global position|global position[\s\S]*Unknown event type: 'Nope'/,
      );
    });
  });

  it('writes outbox rows in the append transaction, and none for a rejected append', async () => {
    await withStore(
      async (store) => {
        expect(store.publishesThroughOutbox).toBe(true);
        const id = randomUUID();
        const events = cartEvents(id, 0, 3);
        await store.appendEvents(id, CART, events, 0);
        await expect(store.appendEvents(id, CART, cartEvents(id, 0, 1), 0)).rejects.toThrow(OptimisticLockError);
        await store.appendEvents(id, CART, events, 0);
        const { rows } = await admin.query(`SELECT event_id::text, sent_at FROM ${store.tables.outbox} ORDER BY id`);
        expect(rows).toEqual(events.map((e) => ({ event_id: e.eventId, sent_at: null })));
      },
      { outbox: true },
    );
  });

  it('never lets a tailing reader skip an event while writers append concurrently', { timeout: 60_000 }, async () => {
    await withStore(async (store) => {
      const writers = new PostgresEventStore({
        connectionString: DATABASE_URL,
        schema,
        tableName: store.tables.tableName,
        maxConnections: 16,
      });
      const appended: string[] = [];
      const seen: string[] = [];
      let writing = true;
      const tail = (async () => {
        let position = 0;
        for (let drained = false; !drained;) {
          drained = !writing;
          for await (const stored of store.readAll(position)) {
            position = stored.globalPosition;
            seen.push(stored.event.eventId);
          }
        }
      })();
      try {
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            for (let round = 0; round < 25; round++) {
              const id = randomUUID();
              const events = cartEvents(id, 0, 1 + (round % 3));
              await writers.appendEvents(id, CART, events, 0);
              appended.push(...events.map((e) => e.eventId));
            }
          }),
        );
      } finally {
        writing = false;
        await tail;
        await writers.close();
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(new Set(seen)).toEqual(new Set(appended));
    });
  });
});
