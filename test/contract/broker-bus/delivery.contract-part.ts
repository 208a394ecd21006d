import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { DomainEvent } from '../../../lib/index.js';
import { ContractAddress, ContractOrderPlaced, ContractOrderShipped, ContractStepTaken, shipped } from './contract-events.js';
import { recorder, uniqueName, type ContractHarness } from './contract-harness.js';

/** Delivery: data preserved, groups, competing consumers, wildcard, unsubscribe, ordering. */
export function deliveryContract(h: ContractHarness): void {
  it('delivers an event with every field preserved (dates, nested payload, context fields)', async () => {
    const prefix = h.prefix('roundtrip');
    const got = recorder<ContractOrderPlaced>();
    await h.consumer({ prefix, group: uniqueName('g') }, (bus) => bus.subscribe(ContractOrderPlaced, got.handler));
    const cause = shipped();
    const sent = new ContractOrderPlaced({
      aggregateId: randomUUID(),
      aggregateVersion: 3,
      eventVersion: 2,
      occurredAt: new Date('2025-01-15T10:30:00.123Z'),
      tenantId: randomUUID(),
      actorId: 'user:alice@example.com',
      customerName: 'Zoë "Z" Ångström\n',
      totalAmount: 99.99,
      placedAt: new Date('2025-01-14T08:00:00.456Z'),
      shipTo: new ContractAddress({ street: '1 Main St', city: 'Springfield' }),
      tags: ['gift', 'priority'],
    })
      .withCausation(cause)
      .withMetadata({ source: 'contract', request: { id: 'req-1', retries: [1, 2] }, sampled: true });

    await h.publisher(prefix).publish([sent]);
    await h.wait(() => got.events.length === 1);
    const received = got.events[0]!;
    expect(received).toBeInstanceOf(ContractOrderPlaced);
    expect(received.toJSON()).toEqual(sent.toJSON());
    expect(received.occurredAt).toBeInstanceOf(Date);
    expect(received.occurredAt.getTime()).toBe(sent.occurredAt.getTime());
    expect(received.placedAt).toBeInstanceOf(Date);
    expect(received.placedAt.getTime()).toBe(sent.placedAt.getTime());
    expect(received.shipTo).toBeInstanceOf(ContractAddress);
    expect(received.causationId).toBe(cause.eventId);
    expect(received.correlationId).toBe(cause.correlationId);
  });

  it('gives every event to every consumer group', async () => {
    const prefix = h.prefix('groups');
    const first = recorder();
    const second = recorder();
    await h.consumer({ prefix, group: uniqueName('billing') }, (bus) => bus.subscribe(ContractOrderShipped, first.handler));
    await h.consumer({ prefix, group: uniqueName('shipping') }, (bus) => bus.subscribe(ContractOrderShipped, second.handler));
    const events = Array.from({ length: 10 }, () => shipped());
    await h.publisher(prefix).publish(events);
    await h.wait(() => first.events.length === 10 && second.events.length === 10);
    const ids = events.map((e) => e.eventId).sort();
    expect(first.events.map((e) => e.eventId).sort()).toEqual(ids);
    expect(second.events.map((e) => e.eventId).sort()).toEqual(ids);
  });

  it('shares a group between consumers: each event handled exactly once', async () => {
    const prefix = h.prefix('competing');
    const group = uniqueName('workers');
    const seen: string[] = [];
    const slowly = async (e: DomainEvent) => {
      seen.push(e.eventId);
      await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const a = await h.consumer({ prefix, group, consumerName: uniqueName('a') }, (bus) => bus.subscribe(ContractOrderShipped, slowly));
    const b = await h.consumer({ prefix, group, consumerName: uniqueName('b') }, (bus) => bus.subscribe(ContractOrderShipped, slowly));
    const events = Array.from({ length: 40 }, () => shipped());
    await h.publisher(prefix).publish(events);
    await h.wait(() => new Set(seen).size === 40);
    await Promise.all([a.whenIdle(), b.whenIdle()]);
    expect(seen).toHaveLength(40);
    expect(a.getStats().eventsProcessedSuccess + b.getStats().eventsProcessedSuccess).toBe(40);
  });

  it('calls wildcard handlers for every type, next to typed handlers', async () => {
    const prefix = h.prefix('wildcard');
    const all = recorder();
    const typed = recorder();
    const bus = await h.consumer({ prefix, group: uniqueName('g') }, (b) => {
      b.subscribeToAllEvents(all.handler);
      b.subscribe(ContractOrderShipped, typed.handler);
    });
    expect(bus.getWildcardSubscriberCount()).toBe(1);
    expect(bus.getSubscriberCount(ContractOrderShipped)).toBe(1);
    const step = new ContractStepTaken({ aggregateId: randomUUID(), step: 1 });
    await h.publisher(prefix).publish([shipped(), step]);
    await h.wait(() => all.events.length === 2 && typed.events.length === 1);
    expect(all.events.map((e) => e.eventType).sort()).toEqual(['contract.OrderShipped', 'contract.StepTaken']);
    expect(all.events.find((e) => e.eventType === 'contract.StepTaken')).toBeInstanceOf(ContractStepTaken);
  });

  it('stops calling an unsubscribed handler', async () => {
    const prefix = h.prefix('unsubscribe');
    const removed = recorder();
    const kept = recorder();
    const bus = await h.consumer({ prefix, group: uniqueName('g') }, (b) => {
      b.subscribe(ContractOrderShipped, removed.handler);
      b.subscribe(ContractOrderShipped, kept.handler);
    });
    expect(bus.unsubscribe(ContractOrderShipped, removed.handler)).toBe(true);
    expect(bus.unsubscribe(ContractOrderShipped, removed.handler)).toBe(false);
    await h.publisher(prefix).publish([shipped()]);
    await h.wait(() => kept.events.length === 1);
    await bus.whenIdle();
    expect(removed.events).toHaveLength(0);
  });

  it('keeps per-aggregate order with concurrency 16 (20 aggregates x 25 versions)', async () => {
    const prefix = h.prefix('ordering');
    const aggregates = Array.from({ length: 20 }, () => randomUUID());
    const versions = new Map<string, number[]>(aggregates.map((id) => [id, []]));
    let received = 0;
    let running = 0;
    let maxRunning = 0;
    await h.consumer({ prefix, group: uniqueName('g'), config: { concurrency: 16 } }, (bus) =>
      bus.subscribe(ContractStepTaken, async (e) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3)));
        versions.get(e.aggregateId)!.push(e.aggregateVersion);
        running--;
        received++;
      }),
    );
    const events: ContractStepTaken[] = [];
    for (let version = 1; version <= 25; version++) {
      for (const aggregateId of aggregates) events.push(new ContractStepTaken({ aggregateId, aggregateVersion: version, step: version }));
    }
    const publisher = h.publisher(prefix);
    for (let i = 0; i < events.length; i += 100) await publisher.publish(events.slice(i, i + 100));
    await h.wait(() => received === events.length, h.waitMs * 2);
    const expected = Array.from({ length: 25 }, (_, i) => i + 1);
    for (const aggregateId of aggregates) expect(versions.get(aggregateId)).toEqual(expected);
    expect(maxRunning).toBeGreaterThan(1);
    expect(maxRunning).toBeLessThanOrEqual(16);
  });
}
