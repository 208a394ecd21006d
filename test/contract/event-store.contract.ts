import { randomUUID } from 'node:crypto';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsNumber, IsOptional, IsString, ValidateNested } from 'class-validator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainEvent, EventVersionError, OptimisticLockError, RegisterEvent, type EventStore, type StoredEvent } from '../../lib/index.js';

export interface EventStoreFixture {
  /** An empty store. */
  store: EventStore;
  cleanup(): Promise<void>;
  /** A second store instance (own connections) on the same storage, for concurrent-writer tests. */
  connectAnotherWriter?(): Promise<EventStore>;
}

export class ContractLine {
  @IsString() sku!: string;
  @IsInt() quantity!: number;
}

@RegisterEvent('contract.item-added')
export class ContractItemAdded extends DomainEvent<ContractItemAdded> {
  static readonly aggregateType = 'ContractCart';
  @IsString() readonly label!: string;
  @IsNumber() readonly price!: number;
  @IsDate() @Type(() => Date) readonly addedAt!: Date;
  @ValidateNested({ each: true }) @Type(() => ContractLine) readonly lines!: ContractLine[];
  @IsOptional() @IsString() readonly note!: string | null;
}

@RegisterEvent('contract.noted')
export class ContractNoted extends DomainEvent<ContractNoted> {
  static readonly aggregateType = 'ContractCart';
  @IsString() readonly text!: string;
}

export const CART = 'ContractCart';

export function line(sku: string, quantity: number): ContractLine {
  return Object.assign(new ContractLine(), { sku, quantity });
}

/** `count` events for versions fromVersion+1 … fromVersion+count, alternating two types. */
export function cartEvents(aggregateId: string, fromVersion: number, count: number): DomainEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const aggregateVersion = fromVersion + index + 1;
    return aggregateVersion % 2 === 1
      ? new ContractItemAdded({
          aggregateId,
          aggregateVersion,
          tenantId: randomUUID(),
          actorId: 'user:7',
          metadata: { source: 'contract', nested: { list: [1, 'two', null] } },
          label: `item "${aggregateVersion}" ünïcødé`,
          price: aggregateVersion + 0.25,
          addedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, aggregateVersion)),
          lines: [line('A-1', 2), line('B-2', aggregateVersion)],
          note: null,
        })
      : new ContractNoted({ aggregateId, aggregateVersion, text: `note ${aggregateVersion}` });
  });
}

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const stored of iterable) out.push(stored);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** The behaviour every EventStore shares. `factory` returns an empty store for each test. */
export function eventStoreContract(name: string, factory: () => Promise<EventStoreFixture>): void {
  describe(`${name} (EventStore contract)`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => fixture.cleanup());

    it('appends events and reads them back equal to the originals', async () => {
      const id = randomUUID();
      const events = cartEvents(id, 0, 3);
      const result = await store.appendEvents(id, CART, events, 0);
      expect(result.newVersion).toBe(3);
      expect(result.globalPosition).toBeGreaterThan(0);
      const stream = await store.getEvents(id, CART);
      expect(stream).toMatchObject({ aggregateId: id, aggregateType: CART, version: 3 });
      expect(stream.events).toStrictEqual(events);
      expect(stream.events[0]).toBeInstanceOf(ContractItemAdded);
      expect((stream.events[0] as ContractItemAdded).lines[1]).toBeInstanceOf(ContractLine);
      const next = cartEvents(id, 3, 2);
      expect((await store.appendEvents(id, CART, next, 3)).newVersion).toBe(5);
      expect((await store.getEvents(id)).events).toStrictEqual([...events, ...next]);
    });

    it('returns an empty stream at version 0 for an unknown aggregate or another aggregate type', async () => {
      const id = randomUUID();
      await store.appendEvents(id, CART, cartEvents(id, 0, 1), 0);
      expect(await store.getEvents(randomUUID(), CART)).toMatchObject({ events: [], version: 0 });
      expect(await store.getEvents(id, 'SomethingElse')).toMatchObject({ events: [], version: 0 });
    });

    it('rejects a wrong expected version with OptimisticLockError carrying both versions', async () => {
      const id = randomUUID();
      await store.appendEvents(id, CART, cartEvents(id, 0, 2), 0);
      for (const expectedVersion of [0, 1, 5]) {
        const error = await rejection(store.appendEvents(id, CART, cartEvents(id, expectedVersion, 1), expectedVersion));
        expect(error).toBeInstanceOf(OptimisticLockError);
        expect(error).toMatchObject({ aggregateId: id, expectedVersion, actualVersion: 2, retriable: true });
      }
      expect((await store.getEvents(id, CART)).version).toBe(2);
    });

    it('rejects events whose versions do not follow the expected version, storing none of them', async () => {
      const id = randomUUID();
      const [first, , third] = cartEvents(id, 0, 3);
      expect(await rejection(store.appendEvents(id, CART, [first, third], 0))).toBeInstanceOf(EventVersionError);
      expect(await store.getEvents(id, CART)).toMatchObject({ events: [], version: 0 });
    });

    it('treats a re-append of stored event ids as a no-op, whatever the expected version', async () => {
      const id = randomUUID();
      const events = cartEvents(id, 0, 2);
      const first = await store.appendEvents(id, CART, events, 0);
      expect(await store.appendEvents(id, CART, events, 0)).toEqual(first);
      expect(await store.appendEvents(id, CART, events, 7)).toEqual(first);
      expect(await store.appendEvents(id, CART, [], 2)).toEqual(first);
      expect((await store.getEvents(id, CART)).events).toHaveLength(2);
      expect((await collect(store.readAll())).map((s) => s.event.eventId)).toEqual(events.map((e) => e.eventId));
    });

    it('reads a stream after fromVersion, exclusively', async () => {
      const id = randomUUID();
      await store.appendEvents(id, CART, cartEvents(id, 0, 5), 0);
      const stream = await store.getEvents(id, CART, 2);
      expect(stream.events.map((e) => e.aggregateVersion)).toEqual([3, 4, 5]);
      expect(stream.version).toBe(5);
      expect(await store.getEvents(id, CART, 5)).toMatchObject({ events: [], version: 5 });
    });

    it('reads all streams in global order with stream ids and positions', async () => {
      const a = randomUUID();
      const b = randomUUID();
      const appended = [...cartEvents(a, 0, 1), ...cartEvents(b, 0, 2), ...cartEvents(a, 1, 2), ...cartEvents(b, 2, 1)];
      await store.appendEvents(a, CART, appended.slice(0, 1), 0);
      await store.appendEvents(b, CART, appended.slice(1, 3), 0);
      const last = await store.appendEvents(a, CART, appended.slice(3, 5), 1);
      await store.appendEvents(b, CART, appended.slice(5), 2);
      const all = await collect(store.readAll());
      expect(all.map((s) => s.event)).toStrictEqual(appended);
      const positions = all.map((s) => s.globalPosition);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
      expect(new Set(positions).size).toBe(positions.length);
      expect(all[4].globalPosition).toBe(last.globalPosition);
      expect(all[3]).toMatchObject({ streamId: `${CART}-${a}`, streamPosition: 2 });
      expect(all[3].storedAt).toBeInstanceOf(Date);
    });

    it('reads all after fromPosition, exclusively', async () => {
      const id = randomUUID();
      const events = cartEvents(id, 0, 4);
      await store.appendEvents(id, CART, events, 0);
      const all = await collect(store.readAll());
      const after = await collect(store.readAll(all[1].globalPosition));
      expect(after.map((s) => s.event.eventId)).toEqual([events[2].eventId, events[3].eventId]);
      expect(await collect(store.readAll(all[3].globalPosition))).toEqual([]);
    });

    it('reads back a 10,000-event stream in order', { timeout: 120_000 }, async () => {
      const id = randomUUID();
      const events = cartEvents(id, 0, 10_000);
      for (let version = 0; version < events.length; version += 1_000) {
        await store.appendEvents(id, CART, events.slice(version, version + 1_000), version);
      }
      const stream = await store.getEvents(id, CART);
      expect(stream.version).toBe(10_000);
      expect(stream.events.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      let count = 0;
      let previous = 0;
      for await (const stored of store.readAll()) {
        expect(stored.event.eventId).toBe(events[count].eventId);
        expect(stored.globalPosition).toBeGreaterThan(previous);
        previous = stored.globalPosition;
        count++;
      }
      expect(count).toBe(10_000);
    });

    it('lets exactly one of several concurrent writers win', async () => {
      const other = (await fixture.connectAnotherWriter?.()) ?? store;
      const id = randomUUID();
      const attempts = Array.from({ length: 8 }, (_, index) =>
        (index % 2 === 0 ? store : other).appendEvents(id, CART, cartEvents(id, 0, 2), 0),
      );
      const outcomes = await Promise.allSettled(attempts);
      const winners = outcomes.filter((o) => o.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(OptimisticLockError);
          expect(outcome.reason).toMatchObject({ expectedVersion: 0, actualVersion: 2 });
        }
      }
      const stream = await store.getEvents(id, CART);
      expect(stream.version).toBe(2);
      expect(stream.events).toHaveLength(2);
    });
  });
}
