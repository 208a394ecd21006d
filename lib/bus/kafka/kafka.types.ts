/** Public Kafka types, free of kafkajs imports (so declarations work without kafkajs installed). */

/** Where replayFrom() moves the consumer group: a point in time, or explicit offsets. */
export type KafkaReplayPosition =
  { timestamp: Date | number } | { partitions: ReadonlyArray<{ partition: number; offset: string | number }> };

export interface KafkaTopicInfo {
  connected: boolean;
  topic: string;
  dlqTopic: string;
  partitions: number;
  consumerGroup: string;
  assignedPartitions: number[];
}

export function validateReplayPosition(position: unknown): KafkaReplayPosition {
  const value = position as Record<string, unknown> | null;
  if (value && typeof value === 'object' && 'timestamp' in value) {
    const ts = value.timestamp instanceof Date ? value.timestamp.getTime() : value.timestamp;
    if (typeof ts === 'number' && Number.isFinite(ts) && ts >= 0) return { timestamp: ts };
    throw new TypeError('replayFrom({ timestamp }) needs a Date or epoch milliseconds');
  }
  if (value && typeof value === 'object' && Array.isArray(value.partitions) && value.partitions.length > 0) {
    const partitions = value.partitions.map((entry: unknown) => {
      const { partition, offset } = (entry ?? {}) as { partition?: unknown; offset?: unknown };
      const offsetText = typeof offset === 'number' || typeof offset === 'string' ? String(offset) : '';
      if (!Number.isInteger(partition) || (partition as number) < 0 || !/^\d+$/.test(offsetText)) {
        throw new TypeError('replayFrom({ partitions }) needs entries { partition: integer >= 0, offset: integer >= 0 }');
      }
      return { partition: partition as number, offset: offsetText };
    });
    return { partitions };
  }
  throw new TypeError('replayFrom() takes { timestamp } or { partitions: [{ partition, offset }] }');
}
