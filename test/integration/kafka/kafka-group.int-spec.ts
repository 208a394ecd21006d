import { randomUUID } from 'node:crypto';
import { IsInt } from 'class-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { DomainEvent, EventRegistry, RegisterEvent, type KafkaEventBus } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { KafkaTestScope, partitionOf, quietLogger, uniqueName, useKafkaBroker } from './kafka-test-utils.js';

const registry = new EventRegistry();

@RegisterEvent({ registry })
class CounterIncremented extends DomainEvent<CounterIncremented> {
  static readonly aggregateType = 'Counter';
  @IsInt() readonly by!: number;
}

const PARTITIONS = 4;
const available = await useKafkaBroker();

function step(aggregateId: string, version: number): CounterIncremented {
  return new CounterIncremented({ aggregateId, aggregateVersion: version, by: 1 });
}

/** Per aggregate, the versions in the order they were first handled (redeliveries ignored). */
function firstSeenOrder(log: Array<{ aggregateId: string; version: number }>): Map<string, number[]> {
  const seen = new Set<string>();
  const order = new Map<string, number[]>();
  for (const { aggregateId, version } of log) {
    const key = `${aggregateId}@${version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    order.set(aggregateId, [...(order.get(aggregateId) ?? []), version]);
  }
  return order;
}

describe.skipIf(!available)('KafkaEventBus consumer groups', () => {
  const scope = new KafkaTestScope('group', () => ({ partitions: PARTITIONS }), { registry, logger: quietLogger });
  const raw = scope.raw;
  const bus = (topicPrefix: string, config: Record<string, unknown> = {}): KafkaEventBus => scope.bus(topicPrefix, config);
  const prefix = (name: string): string => scope.prefix(name);

  afterAll(() => scope.cleanup());

  it('keeps per-aggregate order across two consumers of one group (4 partitions)', async () => {
    const topicPrefix = prefix('order');
    const group = uniqueName('g');
    const log: Array<{ consumer: string; aggregateId: string; version: number }> = [];
    const consumers = ['a', 'b'].map((name) => {
      const consumer = bus(topicPrefix, { consumerGroup: group, consumerName: name });
      consumer.subscribe(CounterIncremented, async (e) => {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3)));
        log.push({ consumer: name, aggregateId: e.aggregateId, version: e.aggregateVersion });
      });
      return consumer;
    });
    await Promise.all(consumers.map((c) => c.startConsuming()));
    const infos = await Promise.all(consumers.map((c) => c.getTopicInfo()));
    expect(infos.flatMap((i) => i.assignedPartitions).sort()).toEqual([0, 1, 2, 3]);

    const aggregates = Array.from({ length: 24 }, () => randomUUID());
    const publisher = bus(topicPrefix, { consumerGroup: uniqueName('publisher') });
    for (let version = 1; version <= 15; version++) await publisher.publish(aggregates.map((id) => step(id, version)));
    await waitFor(() => log.length >= aggregates.length * 15, 30_000);

    const expected = Array.from({ length: 15 }, (_, i) => i + 1);
    for (const id of aggregates) {
      const entries = log.filter((entry) => entry.aggregateId === id);
      expect(entries.map((entry) => entry.version)).toEqual(expected);
      // One aggregate = one key = one partition = one member of the group.
      expect(new Set(entries.map((entry) => entry.consumer)).size).toBe(1);
    }
    expect(new Set(log.map((entry) => entry.consumer))).toEqual(new Set(['a', 'b']));
  });

  it('loses nothing when a consumer joins and another leaves during a run', async () => {
    const topicPrefix = prefix('rebalance');
    const group = uniqueName('g');
    const log: Array<{ consumer: string; aggregateId: string; version: number }> = [];
    const handle = (name: string) => async (e: CounterIncremented) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.push({ consumer: name, aggregateId: e.aggregateId, version: e.aggregateVersion });
    };
    const first = bus(topicPrefix, { consumerGroup: group, consumerName: 'first' });
    first.subscribe(CounterIncremented, handle('first'));
    await first.startConsuming();

    const publisher = bus(topicPrefix, { consumerGroup: uniqueName('publisher') });
    const aggregates = Array.from({ length: 20 }, () => randomUUID());
    const published: string[] = [];
    let version = 0;
    let publishing = true;
    const pump = (async () => {
      while (publishing) {
        version++;
        const events = aggregates.map((id) => step(id, version));
        await publisher.publish(events);
        published.push(...events.map((e) => e.eventId));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const handledBy = (name: string) => log.filter((entry) => entry.consumer === name).length;

    await waitFor(() => handledBy('first') >= 100, 20_000);
    const second = bus(topicPrefix, { consumerGroup: group, consumerName: 'second' });
    second.subscribe(CounterIncremented, handle('second'));
    await second.startConsuming();
    await waitFor(() => handledBy('second') >= 100, 30_000);
    await first.shutdown();
    const secondBefore = handledBy('second');
    await waitFor(() => handledBy('second') >= secondBefore + 200, 30_000);
    publishing = false;
    await pump;

    const handledVersions = () => new Set(log.map((entry) => `${entry.aggregateId}@${entry.version}`));
    await waitFor(() => handledVersions().size === published.length, 30_000);
    expect((await second.getTopicInfo()).assignedPartitions).toEqual([0, 1, 2, 3]);
    expect(first.getStats().rebalances).toBeGreaterThanOrEqual(2);
    expect(second.getStats().rebalances).toBeGreaterThanOrEqual(2);
    // Redeliveries after a rebalance may repeat an event, but never reorder first deliveries.
    for (const [aggregateId, versions] of firstSeenOrder(log)) {
      expect(versions, aggregateId).toEqual(Array.from({ length: version }, (_, i) => i + 1));
    }
  });

  it('commits messages settled without any await (skipped unknown types) once, never refetching them', async () => {
    const topicPrefix = prefix('skip');
    const consumer = bus(topicPrefix, { consumerGroup: uniqueName('g'), onUnknownEventType: 'skip' });
    const seen: string[] = [];
    consumer.subscribe(CounterIncremented, (e) => void seen.push(e.eventId));
    await consumer.startConsuming();
    for (let i = 0; i < 5; i++) {
      const aggregateId = randomUUID();
      const body = JSON.stringify({ ...step(aggregateId, 1).toJSON(), event_type: 'FromTheFuture' });
      await raw.produceRaw(`${topicPrefix}.stream`, { key: aggregateId, value: body, headers: { event_type: 'FromTheFuture' } });
    }
    const marker = step(randomUUID(), 1);
    await consumer.publish([marker]);
    await waitFor(() => seen.includes(marker.eventId) && consumer.getStats().eventsSkipped >= 5, 20_000);
    await consumer.whenIdle();
    expect(consumer.getStats()).toMatchObject({ eventsSkipped: 5, eventsConsumed: 6 });
  });

  it('holds only the partition of a message waiting for a retry; other partitions go on', async () => {
    const topicPrefix = prefix('held');
    const consumer = bus(topicPrefix, { consumerGroup: uniqueName('g'), retryBaseDelayMs: 3_000, retryMaxDelayMs: 3_000, retryJitter: 0 });
    const failing = randomUUID();
    const sameKeyPartition: string[] = [];
    const otherPartitions: string[] = [];
    while (sameKeyPartition.length < 3 || otherPartitions.length < 12) {
      const id = randomUUID();
      if (partitionOf(id, PARTITIONS) === partitionOf(failing, PARTITIONS)) sameKeyPartition.push(id);
      else otherPartitions.push(id);
    }
    const handled: string[] = [];
    let failures = 0;
    let retrySucceededAt = 0;
    const handledAt = new Map<string, number>();
    consumer.subscribe(CounterIncremented, (e) => {
      if (e.aggregateId === failing && e.aggregateVersion === 1 && failures++ === 0) throw new Error('first attempt fails');
      if (e.aggregateId === failing && e.aggregateVersion === 1) retrySucceededAt = Date.now();
      handled.push(`${e.aggregateId}@${e.aggregateVersion}`);
      handledAt.set(`${e.aggregateId}@${e.aggregateVersion}`, Date.now());
    });
    await consumer.startConsuming();
    const publisher = bus(topicPrefix, { consumerGroup: uniqueName('publisher') });
    await publisher.publish([step(failing, 1)]);
    await waitFor(() => failures === 1, 20_000);

    // Published while the failed message waits 3 s for its retry.
    await publisher.publish([step(failing, 2), ...sameKeyPartition.map((id) => step(id, 1)), ...otherPartitions.map((id) => step(id, 1))]);
    await waitFor(() => otherPartitions.every((id) => handled.includes(`${id}@1`)), 10_000);
    expect(retrySucceededAt).toBe(0);
    expect(handled.filter((entry) => sameKeyPartition.some((id) => entry.startsWith(id)))).toEqual([]);

    await waitFor(() => handled.length === 2 + sameKeyPartition.length + otherPartitions.length, 20_000);
    expect(handled.indexOf(`${failing}@1`)).toBeLessThan(handled.indexOf(`${failing}@2`));
    for (const id of sameKeyPartition) expect(handledAt.get(`${id}@1`)!).toBeGreaterThanOrEqual(retrySucceededAt);
    expect(consumer.getStats()).toMatchObject({ messagesRetried: 1, messagesSentToDlq: 0 });
  });
});
