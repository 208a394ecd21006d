import type { Admin, CompressionTypes, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DeadLetterInfo, DlqMessage } from '../broker/broker-transport.js';
import type { ResolvedKafkaEventBusConfig } from './kafka-event-bus.config.js';
import { retryRetriable } from './kafka-retry.js';
import { readTopic } from './kafka-topic-reader.js';
import { decodeHeaders, pythonIsoformat, type KafkaRecordOrigin } from './kafka-wire.js';

const MAX_ERROR_MESSAGE_CHARS = 4_000;

/**
 * Dead letters on Kafka: records of `{topic}.dlq` carrying the original key, value and headers
 * plus `dlq_*` headers (eventsource-py's names). A Kafka log cannot delete one record, so a
 * successful replay is recorded in the compacted `{topic}.dlq.replayed` topic (key = dead letter
 * id) and the tools skip it from then on. Ids are `partition:offset` in the DLQ topic.
 */
export class KafkaDlq {
  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly config: ResolvedKafkaEventBusConfig,
    private readonly compression: CompressionTypes,
  ) {}

  async write(origin: KafkaRecordOrigin, info: DeadLetterInfo): Promise<void> {
    const headers: IHeaders = {
      ...origin.headers,
      dlq_reason: info.reason,
      dlq_error_type: info.errorType,
      dlq_error_message: info.errorMessage.slice(0, MAX_ERROR_MESSAGE_CHARS),
      dlq_retry_count: String(info.retryCount),
      dlq_timestamp: pythonIsoformat(info.timestamp),
      dlq_original_topic: origin.topic,
      dlq_original_partition: String(origin.partition),
      dlq_original_offset: origin.offset,
      dlq_consumer_group: info.consumerGroup,
      dlq_failed_handlers: JSON.stringify(info.failedHandlers),
    };
    // Always acks=all: the original is committed right after, so this copy must be durable.
    await this.producer.send({
      topic: this.config.dlqTopic,
      acks: -1,
      compression: this.compression,
      messages: [{ key: origin.key, value: origin.value, headers }],
    });
  }

  async list(limit: number): Promise<DlqMessage[]> {
    if (limit <= 0) return [];
    const replayed = await this.replayedIds();
    // Per partition, enough records to still have `limit` after skipping the replayed ones.
    const records = await readTopic(this.kafka, this.admin, this.config.dlqTopic, { maxPerPartition: limit + replayed.size });
    // Oldest first across partitions (readTopic returns them by partition, then offset).
    return records
      .filter(({ partition, message }) => !replayed.has(`${partition}:${message.offset}`))
      .sort((a, b) => Number(a.message.timestamp) - Number(b.message.timestamp))
      .slice(0, limit)
      .map(({ partition, message }) => toDlqMessage(partition, message));
  }

  async read(id: string): Promise<DlqMessage | undefined> {
    const parsed = parseDlqId(id);
    if (!parsed) return undefined;
    const replayed = await this.replayedIds();
    if (replayed.has(id)) return undefined;
    const records = await readTopic(this.kafka, this.admin, this.config.dlqTopic, {
      partitions: [parsed.partition],
      from: new Map([[parsed.partition, parsed.offset]]),
      maxPerPartition: 1,
    });
    const record = records.find((r) => r.message.offset === parsed.offset);
    return record ? toDlqMessage(record.partition, record.message) : undefined;
  }

  async count(): Promise<number> {
    const watermarks = await this.offsets(this.config.dlqTopic);
    let total = 0;
    for (const { low, high } of watermarks) total += Number(BigInt(high) - BigInt(low));
    if (total === 0) return 0;
    for (const id of await this.replayedIds()) {
      const parsed = parseDlqId(id);
      const range = parsed && watermarks.find((w) => w.partition === parsed.partition);
      if (parsed && range && BigInt(parsed.offset) >= BigInt(range.low) && BigInt(parsed.offset) < BigInt(range.high)) total--;
    }
    return Math.max(0, total);
  }

  /** Records a replayed dead letter; false when the id is not in the DLQ topic. */
  async markReplayed(id: string): Promise<boolean> {
    const parsed = parseDlqId(id);
    if (!parsed) return false;
    const watermarks = await this.offsets(this.config.dlqTopic);
    const range = watermarks.find((w) => w.partition === parsed.partition);
    if (!range || BigInt(parsed.offset) < BigInt(range.low) || BigInt(parsed.offset) >= BigInt(range.high)) return false;
    await this.producer.send({
      topic: this.config.replayedTopic,
      acks: -1,
      messages: [{ key: id, value: JSON.stringify({ replayedAt: new Date().toISOString() }) }],
    });
    return true;
  }

  /** Deletes every dead letter (and the replay records); returns how many were listed. */
  async purge(): Promise<number> {
    const count = await this.count();
    await this.clearTopic(this.config.dlqTopic);
    // Best effort: a replay record of a purged id is harmless (DLQ offsets never repeat), and a
    // replay topic created by hand as compact-only refuses record deletion.
    await this.clearTopic(this.config.replayedTopic).catch(() => undefined);
    return count;
  }

  async clearTopic(topic: string): Promise<void> {
    const watermarks = await this.offsets(topic);
    const partitions = watermarks
      .filter(({ low, high }) => BigInt(high) > BigInt(low))
      .map(({ partition }) => ({ partition, offset: '-1' }));
    if (partitions.length > 0) await this.admin.deleteTopicRecords({ topic, partitions });
  }

  private offsets(topic: string): ReturnType<Admin['fetchTopicOffsets']> {
    return retryRetriable(() => this.admin.fetchTopicOffsets(topic), 10_000);
  }

  private async replayedIds(): Promise<Set<string>> {
    const records = await readTopic(this.kafka, this.admin, this.config.replayedTopic);
    return new Set(records.map(({ message }) => message.key?.toString('utf8') ?? '').filter((id) => id.length > 0));
  }
}

export function parseDlqId(id: string): { partition: number; offset: string } | undefined {
  const match = typeof id === 'string' ? /^(\d+):(\d+)$/.exec(id) : null;
  return match ? { partition: Number(match[1]), offset: match[2] } : undefined;
}

/** A DLQ record as the DLQ tools return it (also records dead-lettered by eventsource-py). */
export function toDlqMessage(partition: number, message: KafkaMessage): DlqMessage {
  const headers = decodeHeaders(message.headers);
  const payload = message.value?.toString('utf8') ?? '';
  const body = parseObject(payload);
  const timestamp = headers.dlq_timestamp ? new Date(headers.dlq_timestamp) : new Date(Number(message.timestamp));
  return {
    id: `${partition}:${message.offset}`,
    eventId: headers.event_id ?? stringField(body, 'event_id'),
    eventType: headers.event_type ?? stringField(body, 'event_type'),
    reason: headers.dlq_reason ?? 'unknown',
    errorType: headers.dlq_error_type ?? null,
    errorMessage: headers.dlq_error_message ?? null,
    retryCount: Number.parseInt(headers.dlq_retry_count ?? '0', 10) || 0,
    failedHandlers: parseHandlers(headers.dlq_failed_handlers),
    timestamp: Number.isNaN(timestamp.getTime()) ? null : timestamp,
    payload,
  };
}

function parseHandlers(value: string | undefined): string[] {
  const parsed = value === undefined ? undefined : parseJson(value);
  return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === 'string') : [];
}

function parseObject(text: string): Record<string, unknown> | undefined {
  const parsed = parseJson(text);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stringField(body: Record<string, unknown> | undefined, key: string): string | null {
  const value = body?.[key];
  return typeof value === 'string' ? value : null;
}
