import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { DomainEvent, RabbitMQEventBus, RabbitMQExchangeType } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import {
  deleteTopology,
  makeRabbitBus,
  placed,
  rabbitAvailable,
  RmqOrderPlaced,
  RmqOrderShipped,
  uniqueName,
} from './rabbitmq-fixtures.js';

const available = await rabbitAvailable();

describe.skipIf(!available)('RabbitMQEventBus exchange types and fan-out', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  function track(exchange: string, groups: string[], ...buses: RabbitMQEventBus[]): void {
    cleanups.push(async () => {
      for (const bus of buses) await bus.shutdown();
      await deleteTopology(exchange, groups);
    });
  }

  it.each<RabbitMQExchangeType>(['topic', 'direct', 'fanout', 'headers'])(
    'a %s exchange delivers with default settings',
    async (exchangeType) => {
      const exchangeName = uniqueName(`rmq-${exchangeType}`);
      const consumer = makeRabbitBus({ exchangeName, exchangeType, consumerGroup: 'readers' });
      const producer = makeRabbitBus({ exchangeName, exchangeType, consumerGroup: 'writers' });
      track(exchangeName, ['readers', 'writers'], consumer, producer);
      const seen: DomainEvent[] = [];
      consumer.subscribe(RmqOrderPlaced, (event) => void seen.push(event));
      consumer.subscribe(RmqOrderShipped, (event) => void seen.push(event));
      await consumer.startConsuming();

      const aggregateId = randomUUID();
      await producer.publish([placed(aggregateId, 1), new RmqOrderShipped({ aggregateId, trackingNumber: 'T-1', aggregateVersion: 2 })]);

      await waitFor(() => seen.length === 2);
      expect(seen.map((e) => e.eventType)).toEqual(['RmqOrderPlaced', 'RmqOrderShipped']);
      expect(seen[0]).toBeInstanceOf(RmqOrderPlaced);
      expect((seen[0] as RmqOrderPlaced).customerName).toBe('customer-1');
    },
  );

  it.each<RabbitMQExchangeType>(['topic', 'headers', 'fanout'])(
    'a %s exchange delivers every type to a wildcard-only consumer',
    async (exchangeType) => {
      const exchangeName = uniqueName(`rmq-any-${exchangeType}`);
      const consumer = makeRabbitBus({ exchangeName, exchangeType, consumerGroup: 'audit' });
      track(exchangeName, ['audit'], consumer);
      const seen: string[] = [];
      consumer.subscribeToAllEvents((event) => void seen.push(event.eventType));
      await consumer.startConsuming();
      const aggregateId = randomUUID();
      await consumer.publish([placed(aggregateId, 1), new RmqOrderShipped({ aggregateId, trackingNumber: 'T-2', aggregateVersion: 2 })]);
      await waitFor(() => seen.length === 2);
      expect(seen).toEqual(['RmqOrderPlaced', 'RmqOrderShipped']);
    },
  );

  it('routingKeyPattern replaces the per-type bindings', async () => {
    const exchangeName = uniqueName('rmq-pattern');
    const consumer = makeRabbitBus({ exchangeName, consumerGroup: 'shipping-only', routingKeyPattern: '*.RmqOrderShipped' });
    track(exchangeName, ['shipping-only'], consumer);
    const seen: string[] = [];
    consumer.subscribe(RmqOrderPlaced, (event) => void seen.push(event.eventType));
    consumer.subscribe(RmqOrderShipped, (event) => void seen.push(event.eventType));
    await consumer.startConsuming();
    const aggregateId = randomUUID();
    await consumer.publish([placed(aggregateId, 1), new RmqOrderShipped({ aggregateId, trackingNumber: 'T-3', aggregateVersion: 2 })]);
    await waitFor(() => seen.length === 1);
    await consumer.whenIdle();
    await waitFor(async () => (await consumer.getQueueInfo()).messageCount === 0);
    expect(seen).toEqual(['RmqOrderShipped']);
  });

  it('consumes again after stopConsuming() and after disconnect()', async () => {
    const exchangeName = uniqueName('rmq-restart');
    const consumer = makeRabbitBus({ exchangeName, consumerGroup: 'restart' });
    track(exchangeName, ['restart'], consumer);
    const seen: string[] = [];
    consumer.subscribe(RmqOrderPlaced, (event) => void seen.push(event.eventId));
    const stops = [() => consumer.stopConsuming(), () => consumer.disconnect(), () => Promise.resolve()];
    for (const stop of stops) {
      await consumer.startConsuming();
      const event = placed(randomUUID(), seen.length);
      await consumer.publish([event]);
      await waitFor(() => seen.includes(event.eventId));
      await stop();
    }
    expect(seen).toHaveLength(3);
    expect(consumer.getStats().reconnections).toBe(0);
  });

  it('a fanout exchange delivers every event to each of two groups', async () => {
    const exchangeName = uniqueName('rmq-fanout-groups');
    const billing = makeRabbitBus({ exchangeName, exchangeType: 'fanout', consumerGroup: 'billing' });
    const shipping = makeRabbitBus({ exchangeName, exchangeType: 'fanout', consumerGroup: 'shipping' });
    track(exchangeName, ['billing', 'shipping'], billing, shipping);
    const billed: string[] = [];
    const shipped: string[] = [];
    billing.subscribe(RmqOrderPlaced, (event) => void billed.push(event.eventId));
    shipping.subscribe(RmqOrderPlaced, (event) => void shipped.push(event.eventId));
    await billing.startConsuming();
    await shipping.startConsuming();

    const events = Array.from({ length: 10 }, (_, i) => placed(randomUUID(), i));
    await billing.publish(events);

    const ids = events.map((e) => e.eventId);
    await waitFor(() => billed.length === 10 && shipped.length === 10);
    expect(billed.sort()).toEqual([...ids].sort());
    expect(shipped.sort()).toEqual([...ids].sort());
    expect(billing.queueName).toBe(`${exchangeName}.billing`);
  });

  it('publishBatch sends 55 events with batchSize 10 as 6 chunks', async () => {
    const exchangeName = uniqueName('rmq-batch');
    const bus = makeRabbitBus({ exchangeName, consumerGroup: 'batch', batchSize: 10 });
    track(exchangeName, ['batch'], bus);
    const seen: string[] = [];
    bus.subscribe(RmqOrderPlaced, (event) => void seen.push(event.eventId));
    await bus.startConsuming();

    const events = Array.from({ length: 55 }, (_, i) => placed(randomUUID(), i));
    const result = await bus.publishBatch(events);

    expect(result).toMatchObject({ total: 55, published: 55, failed: 0, chunks: 6 });
    await waitFor(() => seen.length === 55);
    expect(seen).toEqual(events.map((e) => e.eventId));
    const unordered = await bus.publishBatch(events.slice(0, 25), { preserveOrder: false });
    expect(unordered).toMatchObject({ total: 25, published: 25, failed: 0, chunks: 3 });
  });
});
