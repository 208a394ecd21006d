import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { EventSourcingError, type KafkaEventBus } from '../../../lib/index.js';
import { waitFor } from '../../support/wait-for.js';
import { crashRegistry, ParcelScanned } from './fixtures/crash-events.js';
import { KafkaTestScope, partitionOf, uniqueName, useKafkaBroker } from './kafka-test-utils.js';

const available = await useKafkaBroker();

function parcels(count: number): ParcelScanned[] {
  return Array.from({ length: count }, (_, i) => new ParcelScanned({ aggregateId: randomUUID(), station: i }));
}

describe.skipIf(!available)('KafkaEventBus replayFrom, topic info and DLQ maintenance', () => {
  const scope = new KafkaTestScope('replay', () => ({ partitions: 2, consumerGroup: uniqueName('g') }), { registry: crashRegistry });
  const bus = (topicPrefix: string, config: Record<string, unknown> = {}): KafkaEventBus => scope.bus(topicPrefix, config);
  const prefix = (name: string): string => scope.prefix(name);

  afterAll(() => scope.cleanup());

  it('re-reads history from a timestamp, then from explicit partition offsets', async () => {
    const topicPrefix = prefix('history');
    const handled: string[] = [];
    const consumer = bus(topicPrefix);
    consumer.subscribe(ParcelScanned, (e) => void handled.push(e.eventId));
    await consumer.startConsuming();
    const older = parcels(10);
    await consumer.publish(older);
    await waitFor(() => handled.length === 10);
    const since = Date.now() + 1;
    await waitFor(() => Date.now() > since);
    const newer = parcels(10);
    await consumer.publish(newer);
    await waitFor(() => handled.length === 20);

    await consumer.replayFrom({ timestamp: new Date(since) });
    await waitFor(() => handled.length === 30);
    await consumer.whenIdle();
    expect(handled.slice(20).sort()).toEqual(newer.map((e) => e.eventId).sort());
    expect((await consumer.getTopicInfo()).assignedPartitions).toEqual([0, 1]);

    await consumer.replayFrom({ partitions: [{ partition: 0, offset: 0 }] });
    const onPartitionZero = [...older, ...newer].filter((e) => partitionOf(e.aggregateId, 2) === 0).map((e) => e.eventId);
    await waitFor(() => handled.length === 30 + onPartitionZero.length);
    await consumer.whenIdle();
    expect(handled.slice(30).sort()).toEqual(onPartitionZero.sort());

    // Not consuming: the offsets are committed for the group, and the next start reads from there.
    await consumer.stopConsuming();
    await consumer.replayFrom({ partitions: [{ partition: 1, offset: 0 }] });
    await consumer.startConsuming();
    const onPartitionOne = [...older, ...newer].filter((e) => partitionOf(e.aggregateId, 2) === 1).map((e) => e.eventId);
    const before = 30 + onPartitionZero.length;
    await waitFor(() => handled.length === before + onPartitionOne.length);
    await consumer.whenIdle();
    expect(handled.slice(before).sort()).toEqual(onPartitionOne.sort());
  });

  it('refuses to move the offsets while another member of the group runs, and keeps consuming', async () => {
    const topicPrefix = prefix('busy');
    const group = uniqueName('g');
    const first = bus(topicPrefix, { consumerGroup: group, consumerName: 'first' });
    const second = bus(topicPrefix, { consumerGroup: group, consumerName: 'second' });
    const handled: string[] = [];
    for (const b of [first, second]) b.subscribe(ParcelScanned, (e) => void handled.push(e.eventId));
    await first.startConsuming();
    await second.startConsuming();

    const error = await first.replayFrom({ timestamp: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventSourcingError);
    expect((error as Error).message).toContain('stop the other consumers of this group');
    await expect(first.replayFrom({} as never)).rejects.toBeInstanceOf(TypeError);

    const events = parcels(10);
    await second.publish(events);
    await waitFor(() => events.every((e) => handled.includes(e.eventId)), 20_000);
    const info = await first.getTopicInfo();
    expect(info).toMatchObject({
      connected: true,
      topic: `${topicPrefix}.stream`,
      dlqTopic: `${topicPrefix}.stream.dlq`,
      partitions: 2,
      consumerGroup: group,
    });
  });

  it('records replayed dead letters and purges the DLQ', async () => {
    const topicPrefix = prefix('dlq');
    const fixed = new Set<string>();
    const consumer = bus(topicPrefix, { maxRetries: 0 });
    consumer.subscribe(ParcelScanned, (e) => {
      if (!fixed.has(e.eventId)) throw new Error(`station ${e.station} offline`);
    });
    await consumer.startConsuming();
    const events = parcels(3);
    await consumer.publish(events);
    await waitFor(() => consumer.getStats().messagesSentToDlq === 3, 20_000);
    expect(await consumer.getDlqMessageCount()).toBe(3);

    const letters = await consumer.getDlqMessages();
    expect(letters.map((l) => l.id)).toEqual(['0:0', '0:1', '0:2']);
    expect(await consumer.getDlqMessages(2)).toHaveLength(2);
    fixed.add(letters[1]!.eventId!);
    expect(await consumer.replayDlqMessage(letters[1]!.id)).toBe(true);
    expect(await consumer.replayDlqMessage(letters[0]!.id)).toBe(false);
    expect(await consumer.replayDlqMessage('not-an-id')).toBe(false);
    expect(await consumer.getDlqMessageCount()).toBe(2);
    expect((await consumer.getDlqMessages()).map((l) => l.id)).toEqual(['0:0', '0:2']);

    expect(await consumer.purgeDlq()).toBe(2);
    expect(await consumer.getDlqMessageCount()).toBe(0);
    expect(await consumer.getDlqMessages()).toEqual([]);

    // Ids keep growing after a purge: a replay record of an old id never hides a new letter.
    await consumer.publish(parcels(1));
    await waitFor(() => consumer.getStats().messagesSentToDlq === 4, 20_000);
    expect((await consumer.getDlqMessages()).map((l) => l.id)).toEqual(['0:3']);
  });
});
