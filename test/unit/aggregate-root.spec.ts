import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EventVersionError } from '../../lib/index.js';
import { AgOrderPlaced, AgOrderShipped, OrderAggregate } from './support/order-domain.js';

describe('AggregateRoot', () => {
  it('has no apply member (it would silently record nothing for @nestjs/cqrs habits)', () => {
    const order = new OrderAggregate(randomUUID());
    expect('apply' in order).toBe(false);
  });

  it('starts at version 0 with the lazily built initial state, even when the subclass has fields', () => {
    const id = randomUUID();
    const order = new OrderAggregate(id);
    expect(order.aggregateId).toBe(id);
    expect(order.version).toBe(0);
    expect(order.getNextVersion()).toBe(1);
    expect(order.state).toEqual({ customerName: '', totalAmount: 0, status: 'draft', history: [] });
    expect(order.hasUncommittedEvents).toBe(false);
    expect(order.uncommittedEvents).toEqual([]);
  });

  it('applyEvent records the event and evolves the state (assigning or mutating it)', () => {
    const order = new OrderAggregate(randomUUID());
    order.place('Alice', 10);
    order.ship('T-1');
    expect(order.version).toBe(2);
    expect(order.getNextVersion()).toBe(3);
    expect(order.state).toMatchObject({ customerName: 'Alice', totalAmount: 10, status: 'shipped' });
    expect(order.state.history).toEqual(['AgOrderPlaced', 'AgOrderShipped']);
    expect(order.hasUncommittedEvents).toBe(true);
    expect(order.uncommittedEvents.map((e) => e.eventType)).toEqual(['AgOrderPlaced', 'AgOrderShipped']);
  });

  it('rejects an event whose version is not version + 1 with EventVersionError', () => {
    const id = randomUUID();
    const order = new OrderAggregate(id);
    const skip = new AgOrderPlaced({ aggregateId: id, customerName: 'A', totalAmount: 1, aggregateVersion: 2 });
    let caught: unknown;
    try {
      order.applyEvent(skip);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventVersionError);
    expect(caught).toMatchObject({ aggregateId: id, expectedVersion: 1, actualVersion: 2 });
    expect((caught as Error).message).toContain('getNextVersion()');
    expect(order.version).toBe(0);
    expect(order.hasUncommittedEvents).toBe(false);
    expect(order.state.status).toBe('draft');
  });

  it('returns a copy from uncommittedEvents', () => {
    const order = new OrderAggregate(randomUUID());
    order.place('Alice', 10);
    const copy = order.uncommittedEvents;
    copy.length = 0;
    expect(order.uncommittedEvents).toHaveLength(1);
  });

  it('loadFromHistory rebuilds state without recording anything', () => {
    const id = randomUUID();
    const history = [
      new AgOrderPlaced({ aggregateId: id, customerName: 'Bob', totalAmount: 5, aggregateVersion: 1 }),
      new AgOrderShipped({ aggregateId: id, trackingNumber: 'T', aggregateVersion: 2 }),
    ];
    const order = new OrderAggregate(id);
    order.loadFromHistory(history);
    expect(order.version).toBe(2);
    expect(order.state).toMatchObject({ customerName: 'Bob', status: 'shipped' });
    expect(order.hasUncommittedEvents).toBe(false);
    expect(() => new OrderAggregate(id).loadFromHistory([history[1]])).toThrow(EventVersionError);
  });

  it('markEventsAsCommitted clears the uncommitted events and keeps the version', () => {
    const order = new OrderAggregate(randomUUID());
    order.place('Alice', 10);
    order.markEventsAsCommitted();
    expect(order.hasUncommittedEvents).toBe(false);
    expect(order.version).toBe(1);
  });
});
