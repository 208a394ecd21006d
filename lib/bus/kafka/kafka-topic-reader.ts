import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { retryRetriable } from './kafka-retry.js';

export interface ReadRecord {
  partition: number;
  message: KafkaMessage;
}

export interface ReadOptions {
  /** First offset to read per partition (default: the partition's low watermark). */
  from?: ReadonlyMap<number, string>;
  /** Only these partitions (default: all). */
  partitions?: readonly number[];
  /** Stop a partition after this many records. */
  maxPerPartition?: number;
  /** Give up waiting after this long and return what was read. */
  timeoutMs?: number;
}

/**
 * Reads a topic's existing records (up to the high watermarks seen at the start) with a
 * throwaway consumer group that commits nothing. For the DLQ tools, not for the hot path: each
 * read joins a group, which takes a few hundred milliseconds.
 */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string, options: ReadOptions = {}): Promise<ReadRecord[]> {
  const watermarks = await retryRetriable(() => admin.fetchTopicOffsets(topic), 10_000);
  const ranges = new Map<number, { start: bigint; end: bigint; count: number }>();
  for (const { partition, low, high } of watermarks) {
    if (options.partitions && !options.partitions.includes(partition)) continue;
    const from = options.from?.get(partition);
    const start = from === undefined || BigInt(from) < BigInt(low) ? BigInt(low) : BigInt(from);
    if (start < BigInt(high)) ranges.set(partition, { start, end: BigInt(high), count: 0 });
  }
  if (ranges.size === 0) return [];

  const records: ReadRecord[] = [];
  const groupId = `nestjs-eventsource-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false, retry: { retries: 2 } });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const timer = setTimeout(finish, options.timeoutMs ?? 15_000);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    // Seeks are registered right after run() is called (before the first fetch), as kafkajs's
    // own admin.setOffsets does.
    const running = consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const range = ranges.get(batch.partition);
        if (!range) return;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset < range.start || offset >= range.end) continue;
          if (options.maxPerPartition !== undefined && range.count >= options.maxPerPartition) break;
          records.push({ partition: batch.partition, message });
          range.count++;
        }
        const last = BigInt(batch.lastOffset());
        if (last + 1n >= range.end || (options.maxPerPartition !== undefined && range.count >= options.maxPerPartition)) {
          ranges.delete(batch.partition);
          if (ranges.size === 0) finish();
        }
      },
    });
    for (const { partition } of watermarks) {
      const range = ranges.get(partition);
      const high = watermarks.find((w) => w.partition === partition)?.high ?? '0';
      consumer.seek({ topic, partition, offset: range ? range.start.toString() : high });
    }
    await running;
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)));
}
