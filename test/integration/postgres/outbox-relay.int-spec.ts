import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  InMemoryEventBus,
  OutboxRelay,
  PostgresEventStore,
  type DomainEvent,
  type EventPublisher,
  type EventSourcingLogger,
  type OutboxRelayOptions,
} from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { OutboxOrderPlaced, OutboxOrderShipped } from './fixtures/outbox-order.js';
import { DATABASE_URL, dropSchema, postgresAvailable, uniqueSchema } from './postgres-test-db.js';
import { runTsChild } from './run-ts-child.js';

const available = await postgresAvailable();
const schema = uniqueSchema();
let tableCount = 0;

function placed(aggregateId: string, aggregateVersion = 1): OutboxOrderPlaced {
  return new OutboxOrderPlaced({ aggregateId, aggregateVersion, customerName: 'Alice', totalAmount: 10 });
}

function shipped(aggregateId: string, aggregateVersion: number): OutboxOrderShipped {
  return new OutboxOrderShipped({ aggregateId, aggregateVersion, carrier: 'DHL' });
}

function recordingLogger(): EventSourcingLogger & { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  return {
    errors,
    warnings,
    error: (message, ...meta) => void errors.push([message, ...meta.map(String)].join('\n')),
    warn: (message, ...meta) => void warnings.push([message, ...meta.map(String)].join('\n')),
  };
}

describe.skipIf(!available)('OutboxRelay', () => {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  const cleanups: Array<() => Promise<void>> = [];

  async function outboxStore(tableName = `outbox_${++tableCount}`): Promise<PostgresEventStore> {
    const store = new PostgresEventStore({ connectionString: DATABASE_URL, schema, tableName, outbox: true });
    await store.initialize();
    cleanups.push(() => store.close());
    return store;
  }

  function relay(options: OutboxRelayOptions): OutboxRelay {
    const created = new OutboxRelay({ pollIntervalMs: 10, retryBaseDelayMs: 50, retryMaxDelayMs: 200, ...options });
    cleanups.unshift(() => created.stop());
    return created;
  }

  async function outboxRows(
    store: PostgresEventStore,
  ): Promise<Array<{ id: string; event_id: string; attempts: number; last_error: string | null; sent_at: Date | null }>> {
    const { rows } = await admin.query(
      `SELECT id::text, event_id::text, attempts, last_error, sent_at FROM ${store.tables.outbox} ORDER BY id`,
    );
    return rows;
  }

  beforeAll(async () => {
    await admin.query('SELECT 1');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(async () => {
    await admin.end();
    await dropSchema(schema);
  });

  it('refuses a store without an outbox', () => {
    const store = new PostgresEventStore({ connectionString: DATABASE_URL, schema });
    expect(() => new OutboxRelay({ store, publisher: new InMemoryEventBus() })).toThrow(ConfigurationError);
  });

  it('publishes, exactly once, what a process killed right after save() committed left in the outbox', { timeout: 90_000 }, async () => {
    const store = await outboxStore();
    const aggregateId = randomUUID();
    // The child saves through a repository and is SIGKILLed right after save() resolved.
    const child = await runTsChild('save-then-die.ts', [DATABASE_URL, schema, store.tables.tableName, aggregateId]);
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(child.stdout).not.toContain('published-directly');
    const eventIds = JSON.parse(/committed (.*)/.exec(child.stdout)?.[1] ?? 'null') as string[];
    expect(eventIds).toHaveLength(2);
    expect((await outboxRows(store)).map((row) => [row.event_id, row.sent_at])).toEqual(eventIds.map((id) => [id, null]));

    const bus = new InMemoryEventBus();
    const received: DomainEvent[] = [];
    bus.subscribeToAllEvents((event) => void received.push(event));
    const first = relay({ store, publisher: bus });
    await first.start();
    await waitFor(() => received.length >= 2);
    await first.stop();
    expect(await relay({ store, publisher: bus }).runOnce()).toBe(0);

    expect(received.map((event) => event.eventId)).toEqual(eventIds);
    expect(received[0]).toBeInstanceOf(OutboxOrderPlaced);
    expect(received[1]).toMatchObject({ aggregateId, aggregateVersion: 2, carrier: 'DHL' });
    expect((await outboxRows(store)).every((row) => row.sent_at instanceof Date)).toBe(true);
  });

  it('publishes each row exactly once with two relays on one table, in order per aggregate', async () => {
    const store = await outboxStore();
    const otherInstance = await outboxStore(store.tables.tableName);
    const seen = new Map<string, number>();
    const versionsByAggregate = new Map<string, number[]>();
    const publisher: EventPublisher = {
      publish: async (events) => {
        for (const event of events) {
          seen.set(event.eventId, (seen.get(event.eventId) ?? 0) + 1);
          versionsByAggregate.set(event.aggregateId, [...(versionsByAggregate.get(event.aggregateId) ?? []), event.aggregateVersion]);
        }
      },
    };
    const logger = recordingLogger();
    const aggregates = Array.from({ length: 20 }, () => randomUUID());
    const appendRound = (version: number) =>
      Promise.all(
        aggregates.map((id, index) =>
          (index % 2 ? store : otherInstance).appendEvents(id, 'OutboxOrder', [shipped(id, version)], version - 1),
        ),
      );
    await appendRound(1);
    await relay({ store, publisher, batchSize: 7, logger }).start();
    await relay({ store: otherInstance, publisher, batchSize: 7, logger }).start();
    for (let version = 2; version <= 10; version++) await appendRound(version);

    await waitFor(() => seen.size === 200, 20_000);
    for (const cleanup of cleanups.splice(0, 2)) await cleanup();
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    for (const versions of versionsByAggregate.values()) expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(logger.errors).toEqual([]);
  });

  it('retries a failed publish with exponential backoff, then publishes when the bus recovers', async () => {
    const store = await outboxStore();
    const calls: number[] = [];
    const received: string[] = [];
    const publisher: EventPublisher = {
      publish: async (events) => {
        calls.push(Date.now());
        if (calls.length <= 2) throw new Error('broker down');
        received.push(...events.map((event) => event.eventId));
      },
    };
    const logger = recordingLogger();
    const aggregateId = randomUUID();
    const event = placed(aggregateId);
    await store.appendEvents(aggregateId, 'OutboxOrder', [event], 0);
    await relay({ store, publisher, logger, retryBaseDelayMs: 100, retryMaxDelayMs: 150 }).start();

    // The publisher sees the event before the relay commits the row as sent: wait for both.
    await waitFor(async () => received.length === 1 && (await outboxRows(store))[0].sent_at instanceof Date);
    expect(received).toEqual([event.eventId]);
    // Backoff is the behaviour under test: 100 ms after the first failure, then 200 capped to 150.
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(95);
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(145);
    const [row] = await outboxRows(store);
    expect(row).toMatchObject({ attempts: 2, last_error: 'Error: broker down' });
    expect(row.sent_at).toBeInstanceOf(Date);
    expect(logger.errors).toHaveLength(2);
    expect(logger.errors[0]).toContain('attempt 1');
    expect(logger.errors[0]).toContain(event.eventId);
    expect(logger.errors[1]).toContain('attempt 2');
  });

  it('holds back an aggregate behind its failed row while other aggregates go on', async () => {
    const store = await outboxStore();
    const order: string[] = [];
    let failures = 0;
    const publisher: EventPublisher = {
      publish: async (events) => {
        if (failures++ === 0) throw new Error('first publish fails');
        order.push(...events.map((event) => `${event.aggregateId}:${event.aggregateVersion}`));
      },
    };
    const a = randomUUID();
    const b = randomUUID();
    await store.appendEvents(a, 'OutboxOrder', [placed(a)], 0);
    await relay({ store, publisher, logger: recordingLogger(), retryBaseDelayMs: 2_000, retryMaxDelayMs: 2_000 }).start();
    await waitFor(async () => (await outboxRows(store))[0].attempts === 1);
    await store.appendEvents(a, 'OutboxOrder', [shipped(a, 2)], 1);
    await store.appendEvents(b, 'OutboxOrder', [placed(b)], 0);

    await waitFor(() => order.length === 1);
    expect(order).toEqual([`${b}:1`]);
    await waitFor(() => order.length === 3, 10_000);
    expect(order).toEqual([`${b}:1`, `${a}:1`, `${a}:2`]);
  });

  it('retries a corrupted outbox row with backoff, naming it, without blocking other aggregates', async () => {
    const store = await outboxStore();
    const received: string[] = [];
    const publisher: EventPublisher = { publish: async (events) => void received.push(...events.map((e) => e.eventId)) };
    const bad = randomUUID();
    const good = randomUUID();
    await store.appendEvents(bad, 'OutboxOrder', [placed(bad)], 0);
    const goodEvent = placed(good);
    await store.appendEvents(good, 'OutboxOrder', [goodEvent], 0);
    const [badRow] = await outboxRows(store);
    await admin.query(`UPDATE ${store.tables.outbox} SET body = jsonb_set(body, '{totalAmount}', '"lots"') WHERE id = $1`, [badRow.id]);
    const logger = recordingLogger();
    await relay({ store, publisher, logger, retryBaseDelayMs: 60_000, retryMaxDelayMs: 60_000 }).start();

    await waitFor(() => received.length === 1 && logger.errors.length === 1);
    expect(received).toEqual([goodEvent.eventId]);
    expect(logger.errors[0]).toContain(`outbox row ${badRow.id}`);
    expect(logger.errors[0]).toContain('totalAmount');
    expect((await outboxRows(store))[0]).toMatchObject({ attempts: 1, sent_at: null });
  });

  it('wakes on NOTIFY from an append instead of waiting for the next poll', async () => {
    const store = await outboxStore();
    const received: string[] = [];
    const publisher: EventPublisher = { publish: async (events) => void received.push(...events.map((e) => e.eventId)) };
    await relay({ store, publisher, pollIntervalMs: 600_000 }).start();
    await waitFor(async () => {
      const { rows } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE query = $1', [`LISTEN "${store.tables.channel}"`]);
      return rows.length === 1;
    });
    const id = randomUUID();
    const event = placed(id);
    await store.appendEvents(id, 'OutboxOrder', [event], 0);
    await waitFor(() => received.length === 1, 5_000);
    expect(received).toEqual([event.eventId]);
  });

  it('stop() waits for the batch in flight, which is then marked sent; stop() twice is fine', async () => {
    const store = await outboxStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let publishing = false;
    const publisher: EventPublisher = {
      publish: async () => {
        publishing = true;
        await gate;
      },
    };
    const id = randomUUID();
    await store.appendEvents(id, 'OutboxOrder', [placed(id)], 0);
    const running = relay({ store, publisher });
    await running.start();
    await waitFor(() => publishing);
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    expect((await outboxRows(store))[0].sent_at).toBeNull();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect((await outboxRows(store))[0].sent_at).toBeInstanceOf(Date);
    await running.stop();
    expect(running.isRunning).toBe(false);
  });
});
