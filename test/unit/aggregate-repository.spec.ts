import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AggregateNotFoundError,
  AggregateRepository,
  ConfigurationError,
  EventPublishError,
  EventValidationError,
  InMemoryEventBus,
  InMemoryEventStore,
  OptimisticLockError,
  type DomainEvent,
  type EventPublisher,
  type EventSourcingLogger,
  type PublishOptions,
} from '../../lib/index.js';
import { AgOrderPlaced, AgOrderShipped, OrderAggregate } from './support/order-domain.js';

const quietLogger: EventSourcingLogger = { error: () => undefined, warn: () => undefined };

class RecordingPublisher implements EventPublisher {
  readonly calls: Array<{ events: DomainEvent[]; options?: PublishOptions }> = [];
  constructor(private readonly onPublish?: (events: DomainEvent[]) => void | Promise<void>) {}
  async publish(events: DomainEvent[], options?: PublishOptions): Promise<void> {
    this.calls.push({ events, options });
    await this.onPublish?.(events);
  }
}

async function storedEvents(store: InMemoryEventStore): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  for await (const stored of store.readAll()) events.push(stored.event);
  return events;
}

function setup(options: { publisher?: EventPublisher; background?: boolean; store?: InMemoryEventStore } = {}) {
  const eventStore = options.store ?? new InMemoryEventStore();
  const repo = new AggregateRepository({
    eventStore,
    aggregateFactory: OrderAggregate,
    eventPublisher: options.publisher,
    publishInBackground: options.background,
  });
  return { eventStore, repo };
}

describe('AggregateRepository', () => {
  it('takes aggregateType from the option or the factory, and rejects bad options with ConfigurationError', () => {
    const eventStore = new InMemoryEventStore();
    expect(new AggregateRepository({ eventStore, aggregateFactory: OrderAggregate }).aggregateType).toBe('Order');
    expect(new AggregateRepository({ eventStore, aggregateFactory: OrderAggregate, aggregateType: 'Purchase' }).aggregateType).toBe(
      'Purchase',
    );
    expect(() => new AggregateRepository({ eventStore: undefined as never, aggregateFactory: OrderAggregate })).toThrow(ConfigurationError);
    expect(() => new AggregateRepository({ eventStore, aggregateFactory: {} as never })).toThrow(/aggregateFactory/);
    const error = (() => {
      try {
        new AggregateRepository({ eventStore, aggregateFactory: OrderAggregate, aggregateType: '' });
      } catch (e) {
        return e as ConfigurationError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error?.key).toBe('aggregateType');
  });

  it('creates, saves, loads, and tells whether an aggregate exists', async () => {
    const { repo, eventStore } = setup();
    const id = randomUUID();
    const order = repo.createNew(id);
    expect(order).toBeInstanceOf(OrderAggregate);
    expect(await repo.exists(id)).toBe(false);
    order.place('Alice', 10);
    await repo.save(order);
    expect(order.hasUncommittedEvents).toBe(false);
    expect(await repo.exists(id)).toBe(true);

    const loaded = await repo.load(id);
    expect(loaded.version).toBe(1);
    expect(loaded.state).toMatchObject({ customerName: 'Alice', totalAmount: 10, status: 'placed' });
    loaded.ship('T-1');
    await repo.save(loaded);
    expect((await repo.load(id)).state.status).toBe('shipped');
    expect((await eventStore.getEvents(id)).version).toBe(2);
  });

  it('keeps a stream under the repository aggregateType, even when the events name another', async () => {
    const eventStore = new InMemoryEventStore();
    const repo = new AggregateRepository({ eventStore, aggregateFactory: OrderAggregate, aggregateType: 'Purchase' });
    const id = randomUUID();
    const order = repo.createNew(id);
    order.place('Alice', 10); // AgOrderPlaced says aggregateType 'Order'
    await repo.save(order);
    expect(await repo.exists(id)).toBe(true);
    const loaded = await repo.load(id);
    expect(loaded.version).toBe(1);
    loaded.ship('T');
    await repo.save(loaded);
    expect((await eventStore.getEvents(id, 'Purchase')).version).toBe(2);
    expect((await eventStore.getEvents(id, 'Order')).events).toEqual([]);
    const [first] = await storedEvents(eventStore);
    expect(first.aggregateType).toBe('Order');
  });

  it('saving an aggregate without new events does nothing', async () => {
    const publisher = new RecordingPublisher();
    const { repo, eventStore } = setup({ publisher });
    await repo.save(repo.createNew(randomUUID()));
    expect(await storedEvents(eventStore)).toEqual([]);
    expect(publisher.calls).toEqual([]);
  });

  it('load throws AggregateNotFoundError for an aggregate without events; loadOrCreate returns a new one', async () => {
    const { repo } = setup();
    const id = randomUUID();
    await expect(repo.load(id)).rejects.toThrow(AggregateNotFoundError);
    await expect(repo.load(id)).rejects.toMatchObject({ aggregateId: id, aggregateType: 'Order' });
    const fresh = await repo.loadOrCreate(id);
    expect(fresh.version).toBe(0);
    fresh.place('Carol', 3);
    await repo.save(fresh);
    expect((await repo.loadOrCreate(id)).version).toBe(1);
  });

  it('rejects a concurrent save with OptimisticLockError carrying the versions', async () => {
    const { repo } = setup();
    const id = randomUUID();
    const order = repo.createNew(id);
    order.place('Alice', 10);
    await repo.save(order);
    const first = await repo.load(id);
    const second = await repo.load(id);
    first.ship('A');
    second.ship('B');
    await repo.save(first);
    const failure = repo.save(second);
    await expect(failure).rejects.toThrow(OptimisticLockError);
    await expect(failure).rejects.toMatchObject({ aggregateId: id, expectedVersion: 1, actualVersion: 2, retriable: true });
    expect(second.hasUncommittedEvents).toBe(true);
    expect((await repo.load(id)).state.history).toEqual(['AgOrderPlaced', 'AgOrderShipped']);
  });

  it('validates payloads before anything is persisted or published', async () => {
    const publisher = new RecordingPublisher();
    const { repo, eventStore } = setup({ publisher });
    const id = randomUUID();
    const order = repo.createNew(id);
    order.place('Alice', 10);
    order.applyEvent(new AgOrderShipped({ aggregateId: id, trackingNumber: 42 as never, aggregateVersion: 2 }));
    const failure = repo.save(order);
    await expect(failure).rejects.toThrow(EventValidationError);
    await expect(failure).rejects.toThrow(/trackingNumber/);
    expect(await storedEvents(eventStore)).toEqual([]);
    expect(publisher.calls).toEqual([]);
    expect(order.hasUncommittedEvents).toBe(true);
  });

  it('publishes the saved events after the append, awaiting the handlers', async () => {
    const bus = new InMemoryEventBus({ logger: quietLogger });
    const seenInStore: number[] = [];
    const { repo, eventStore } = setup({ publisher: bus });
    bus.subscribe(AgOrderPlaced, async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seenInStore.push((await eventStore.getEvents(event.aggregateId)).version);
    });
    const order = repo.createNew(randomUUID());
    order.place('Alice', 10);
    await repo.save(order);
    expect(seenInStore).toEqual([1]); // the handler ran, and saw the event already stored
  });

  it('passes { background: true } with publishInBackground and returns before handlers finish', async () => {
    const bus = new InMemoryEventBus({ logger: quietLogger });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    bus.subscribe(AgOrderPlaced, async () => {
      await gate;
      handled++;
    });
    const { repo } = setup({ publisher: bus, background: true });
    const order = repo.createNew(randomUUID());
    order.place('Alice', 10);
    await repo.save(order);
    expect(handled).toBe(0);
    expect(bus.getBackgroundTaskCount()).toBe(1);
    release();
    await bus.whenIdle();
    expect(handled).toBe(1);

    const publisher = new RecordingPublisher();
    const other = setup({ publisher, background: true });
    const second = other.repo.createNew(randomUUID());
    second.place('Bob', 1);
    await other.repo.save(second);
    expect(publisher.calls[0].options).toEqual({ background: true });
  });

  it('rejects with EventPublishError (persisted) when publishing fails after the append', async () => {
    const cause = new Error('broker down');
    const publisher = new RecordingPublisher(() => {
      throw cause;
    });
    const { repo, eventStore } = setup({ publisher });
    const id = randomUUID();
    const order = repo.createNew(id);
    order.place('Alice', 10);
    order.ship('T');
    const eventIds = order.uncommittedEvents.map((e) => e.eventId);
    let caught: unknown;
    try {
      await repo.save(order);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventPublishError);
    expect(caught).toMatchObject({ persisted: true, eventIds, cause });
    expect((caught as Error).message).toContain('broker down');
    expect((await storedEvents(eventStore)).map((e) => e.eventId)).toEqual(eventIds);
    expect(order.hasUncommittedEvents).toBe(false);
  });

  it('leaves publishing to the outbox relay when the store publishes through an outbox', async () => {
    class OutboxStore extends InMemoryEventStore {
      readonly publishesThroughOutbox = true;
    }
    const publisher = new RecordingPublisher();
    const { repo, eventStore } = setup({ publisher, store: new OutboxStore() });
    const order = repo.createNew(randomUUID());
    order.place('Alice', 10);
    await repo.save(order);
    expect(publisher.calls).toEqual([]);
    expect(await storedEvents(eventStore)).toHaveLength(1);
  });
});
