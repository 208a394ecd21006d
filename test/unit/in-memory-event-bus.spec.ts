import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DomainEvent, EventRegistry, InMemoryEventBus, RegisterEvent, type DomainEvent as Event } from '../../lib/index.js';
import {
  BusOrderCancelled,
  BusOrderCreated,
  BusOrderShipped,
  RecordingHandler,
  SyncRecordingHandler,
  cancelled,
  capturingLogger,
  created,
  shipped,
  sleep,
} from './support/bus-fixtures.js';

let logger: ReturnType<typeof capturingLogger>;
let bus: InMemoryEventBus;

beforeEach(() => {
  logger = capturingLogger();
  bus = new InMemoryEventBus({ logger });
});

describe('InMemoryEventBus publishing', () => {
  it('delivers an event to its subscribed handler', async () => {
    const handler = new RecordingHandler();
    bus.subscribe(BusOrderCreated, handler);
    const event = created();
    await bus.publish([event]);
    expect(handler.events).toEqual([event]);
    expect(handler.events[0]).toBe(event);
  });

  it('dispatches events in list order, each one settled before the next starts', async () => {
    const trace: string[] = [];
    bus.subscribe(BusOrderCreated, async (e) => {
      trace.push(`start ${e.orderNumber}`);
      await sleep(30);
      trace.push(`end ${e.orderNumber}`);
    });
    bus.subscribe(BusOrderShipped, (e) => void trace.push(`shipped ${e.trackingNumber}`));
    await bus.publish([created('A'), shipped('T'), created('B')]);
    expect(trace).toEqual(['start A', 'end A', 'shipped T', 'start B', 'end B']);
  });

  it('runs the handlers of one event concurrently', async () => {
    const done: number[] = [];
    const slow = (id: number) => async () => {
      await sleep(100);
      done.push(id);
    };
    bus.subscribe(BusOrderCreated, slow(1));
    bus.subscribe(BusOrderCreated, slow(2));
    const started = performance.now();
    await bus.publish([created()]);
    const elapsed = performance.now() - started;
    expect(done.sort()).toEqual([1, 2]);
    expect(elapsed).toBeLessThan(180); // one 100 ms wait, not two
  });

  it('does nothing for an empty list and for an event nobody listens to', async () => {
    const handler = new RecordingHandler();
    bus.subscribeToAllEvents(handler);
    await bus.publish([]);
    expect(handler.events).toEqual([]);
    expect(bus.getStats().eventsPublished).toBe(0);
    const lonely = new InMemoryEventBus({ logger });
    await expect(lonely.publish([created()])).resolves.toBeUndefined();
  });

  it('rejects something that is not an array', async () => {
    await expect(bus.publish(created() as never)).rejects.toThrow(TypeError);
  });
});

describe('InMemoryEventBus handlers', () => {
  it('accepts async and sync handle() objects and async and sync functions', async () => {
    const asyncObject = new RecordingHandler();
    const syncObject = new SyncRecordingHandler();
    const seen: string[] = [];
    bus.subscribe(BusOrderCreated, asyncObject);
    bus.subscribe(BusOrderCreated, syncObject);
    bus.subscribe(BusOrderCreated, async function asyncFn() {
      seen.push('async fn');
    });
    bus.subscribe(BusOrderCreated, function syncFn() {
      seen.push('sync fn');
    });
    const event = created();
    await bus.publish([event]);
    expect(asyncObject.events).toEqual([event]);
    expect(syncObject.events).toEqual([event]);
    expect(seen.sort()).toEqual(['async fn', 'sync fn']);
    expect(bus.getStats().handlersInvoked).toBe(4);
  });

  it('calls handle() on a callable that also has a handle method', async () => {
    const calls: string[] = [];
    const both = Object.assign(() => void calls.push('called as function'), { handle: () => void calls.push('handle') });
    bus.subscribe(BusOrderCreated, both);
    await bus.publish([created()]);
    expect(calls).toEqual(['handle']);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'handler'],
    ['an object without handle', { process: () => undefined }],
    ['an object whose handle is not a function', { handle: 'nope' }],
  ])('rejects %s with TypeError at subscribe time', (_, handler) => {
    const message = 'Handler must have a handle() method or be callable';
    expect(() => bus.subscribe(BusOrderCreated, handler as never)).toThrow(new TypeError(message));
    expect(() => bus.subscribeToAllEvents(handler as never)).toThrow(new TypeError(message));
    expect(bus.getSubscriberCount()).toBe(0);
    expect(bus.getWildcardSubscriberCount()).toBe(0);
  });

  it('rejects a subscribeAll subscriber without handle() with the same TypeError', () => {
    expect(() => bus.subscribeAll({ subscribedTo: () => [BusOrderCreated] } as never)).toThrow(
      new TypeError('Handler must have a handle() method or be callable'),
    );
    expect(() => bus.subscribeAll({ handle: () => undefined } as never)).toThrow(TypeError);
  });
});

describe('InMemoryEventBus routing', () => {
  it('routes by exact type: a handler only gets its own type', async () => {
    const handler = new RecordingHandler();
    bus.subscribe(BusOrderShipped, handler);
    const event = shipped();
    await bus.publish([created(), event, cancelled()]);
    expect(handler.events).toEqual([event]);
  });

  it('routes by type name, so two class objects with the same name both match', async () => {
    @RegisterEvent({ registry: new EventRegistry(), eventType: 'bus.twin' })
    class TwinFromServiceA extends DomainEvent<TwinFromServiceA> {
      static readonly aggregateType = 'Twin';
    }
    @RegisterEvent({ registry: new EventRegistry(), eventType: 'bus.twin' })
    class TwinFromServiceB extends DomainEvent<TwinFromServiceB> {
      static readonly aggregateType = 'Twin';
    }
    expect(TwinFromServiceA).not.toBe(TwinFromServiceB);
    const viaA = new RecordingHandler();
    const viaB = new RecordingHandler();
    bus.subscribe(TwinFromServiceA, viaA);
    bus.subscribe(TwinFromServiceB, viaB);
    const a = new TwinFromServiceA({ aggregateId: randomUUID() });
    const b = new TwinFromServiceB({ aggregateId: randomUUID() });
    await bus.publish([a, b]);
    expect(viaA.events).toEqual([a, b]);
    expect(viaB.events).toEqual([a, b]);
    expect(bus.getSubscriberCount(TwinFromServiceA)).toBe(2);
  });

  it('delivers every event to wildcard handlers, after the typed ones', async () => {
    const order: string[] = [];
    const wildcard = new RecordingHandler();
    bus.subscribeToAllEvents(wildcard);
    bus.subscribeToAllEvents(() => void order.push('wildcard'));
    bus.subscribe(BusOrderCreated, () => void order.push('typed'));
    const events = [created(), shipped(), cancelled()];
    await bus.publish(events);
    expect(wildcard.events).toEqual(events);
    expect(order).toEqual(['typed', 'wildcard', 'wildcard', 'wildcard']);
  });

  it('subscribeAll subscribes a projection to each declared type, thunks included', async () => {
    const projection = {
      events: [] as Event[],
      subscribedTo: () => [BusOrderCreated, () => BusOrderShipped],
      async handle(event: Event) {
        this.events.push(event);
      },
    };
    bus.subscribeAll(projection);
    expect(bus.getSubscriberCount(BusOrderCreated)).toBe(1);
    expect(bus.getSubscriberCount(BusOrderShipped)).toBe(1);
    expect(bus.getSubscriberCount(BusOrderCancelled)).toBe(0);
    const events = [created(), shipped(), cancelled()];
    await bus.publish(events);
    expect(projection.events).toEqual(events.slice(0, 2));
  });

  it('accepts a thunk in subscribe and unsubscribe too', async () => {
    const handler = new RecordingHandler();
    bus.subscribe(() => BusOrderCreated, handler);
    await bus.publish([created()]);
    expect(handler.events).toHaveLength(1);
    expect(bus.unsubscribe(() => BusOrderCreated, handler)).toBe(true);
  });

  it('explains a thunk or class that resolves to undefined', () => {
    expect(() => bus.subscribe(() => undefined as never, new RecordingHandler())).toThrow(/circular import/);
    expect(() => bus.subscribe(undefined as never, new RecordingHandler())).toThrow(TypeError);
  });
});

describe('InMemoryEventBus subscription management', () => {
  it('calls a handler subscribed twice twice', async () => {
    const handler = new RecordingHandler();
    bus.subscribe(BusOrderCreated, handler);
    bus.subscribe(BusOrderCreated, handler);
    await bus.publish([created()]);
    expect(handler.events).toHaveLength(2);
    expect(bus.getSubscriberCount(BusOrderCreated)).toBe(2);
  });

  it('unsubscribe removes the first match only and says whether it found one', async () => {
    const handler = new RecordingHandler();
    bus.subscribe(BusOrderCreated, handler);
    bus.subscribe(BusOrderCreated, handler);
    expect(bus.unsubscribe(BusOrderCreated, handler)).toBe(true);
    await bus.publish([created()]);
    expect(handler.events).toHaveLength(1);
    expect(bus.unsubscribe(BusOrderCreated, handler)).toBe(true);
    expect(bus.unsubscribe(BusOrderCreated, handler)).toBe(false);
    await bus.publish([created()]);
    expect(handler.events).toHaveLength(1);
  });

  it('unsubscribe from a type the handler is not subscribed to returns false', () => {
    const handler = new RecordingHandler();
    bus.subscribe(BusOrderCreated, handler);
    expect(bus.unsubscribe(BusOrderShipped, handler)).toBe(false);
    expect(bus.unsubscribe(BusOrderCreated, new RecordingHandler())).toBe(false);
    expect(bus.getSubscriberCount(BusOrderCreated)).toBe(1);
  });

  it('unsubscribeFromAllEvents removes a wildcard handler and returns booleans', async () => {
    const handler = new RecordingHandler();
    bus.subscribeToAllEvents(handler);
    expect(bus.unsubscribeFromAllEvents(handler)).toBe(true);
    expect(bus.unsubscribeFromAllEvents(handler)).toBe(false);
    await bus.publish([created()]);
    expect(handler.events).toEqual([]);
  });

  it('clearSubscribers removes typed and wildcard handlers', async () => {
    const handler = new RecordingHandler();
    bus.subscribe(BusOrderCreated, handler);
    bus.subscribeToAllEvents(handler);
    bus.clearSubscribers();
    expect(bus.getSubscriberCount()).toBe(0);
    expect(bus.getWildcardSubscriberCount()).toBe(0);
    await bus.publish([created()]);
    expect(handler.events).toEqual([]);
  });

  it('counts subscribers per type and in total, never counting wildcard handlers', () => {
    const a = new RecordingHandler();
    const b = new RecordingHandler();
    expect(bus.getSubscriberCount(BusOrderCreated)).toBe(0);
    expect(bus.getSubscriberCount()).toBe(0);
    bus.subscribe(BusOrderCreated, a);
    bus.subscribe(BusOrderCreated, b);
    bus.subscribe(BusOrderShipped, a);
    bus.subscribeToAllEvents(a);
    bus.subscribeToAllEvents(b);
    expect(bus.getSubscriberCount(BusOrderCreated)).toBe(2);
    expect(bus.getSubscriberCount(BusOrderShipped)).toBe(1);
    expect(bus.getSubscriberCount(BusOrderCancelled)).toBe(0);
    expect(bus.getSubscriberCount()).toBe(3);
    expect(bus.getWildcardSubscriberCount()).toBe(2);
  });

  it('leaves a dispatch in progress alone when a handler subscribes or unsubscribes', async () => {
    const calls: string[] = [];
    const newcomer = () => void calls.push('newcomer');
    const leaver = () => void calls.push('leaver');
    let changed = false;
    bus.subscribe(BusOrderCreated, () => {
      calls.push('first');
      if (changed) return;
      changed = true;
      bus.subscribe(BusOrderCreated, newcomer);
      bus.unsubscribe(BusOrderCreated, leaver);
      bus.subscribeToAllEvents(newcomer);
    });
    bus.subscribe(BusOrderCreated, leaver);
    await bus.publish([created()]);
    expect(calls).toEqual(['first', 'leaver']); // the list was taken when the dispatch started
    calls.length = 0;
    await bus.publish([created()]);
    expect(calls).toEqual(['first', 'newcomer', 'newcomer']); // typed, then wildcard
  });
});

describe('InMemoryEventBus stats', () => {
  it('counts events published and successful handler calls', async () => {
    bus.subscribeToAllEvents(new RecordingHandler());
    bus.subscribe(BusOrderCreated, new SyncRecordingHandler());
    await bus.publish([created()]);
    await bus.publish([shipped(), cancelled()]);
    expect(bus.getStats()).toEqual({
      eventsPublished: 3,
      handlersInvoked: 4,
      handlerErrors: 0,
      backgroundTasksCreated: 0,
      backgroundTasksCompleted: 0,
    });
  });

  it('returns a fresh plain object with the five keys each call', async () => {
    await bus.publish([created()]);
    const first = bus.getStats();
    expect(Object.keys(first).sort()).toEqual(
      ['backgroundTasksCompleted', 'backgroundTasksCreated', 'eventsPublished', 'handlerErrors', 'handlersInvoked'].sort(),
    );
    first.eventsPublished = 999;
    const second = bus.getStats();
    expect(second).not.toBe(first);
    expect(second.eventsPublished).toBe(1);
  });
});
