import type { DeadLetterInfo, DlqMessage, IncomingMessage, OutgoingMessage } from '../broker/broker-transport.js';

/** The 7 stream fields eventsource-py writes, in its order (shared/fixtures/wire). */
export const ENTRY_FIELDS = ['event_id', 'event_type', 'aggregate_id', 'aggregate_type', 'tenant_id', 'occurred_at', 'payload'] as const;

/** A stream entry as ioredis returns it: `[id, [field, value, field, value, ...]]`; fields are null for a deleted entry. */
export type RawEntry = [id: string, fields: string[] | null];

/** What an IncomingMessage carries in `raw` for this transport. */
export interface RedisRawEntry {
  /** Field/value pairs exactly as stored, for copying into a dead letter. */
  fields: string[];
}

/** Python's `datetime.isoformat()` for a UTC time: `+00:00`, six fraction digits, none when all zero. */
export function pythonIsoformat(date: Date): string {
  const iso = date.toISOString(); // 2025-01-15T10:30:00.123Z
  const seconds = iso.slice(0, 19);
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? `${seconds}+00:00` : `${seconds}.${String(ms).padStart(3, '0')}000+00:00`;
}

/** XADD arguments after the id: field, value, ... in wire order. */
export function toStreamFields(message: OutgoingMessage): string[] {
  const { event } = message;
  return [
    'event_id',
    event.eventId,
    'event_type',
    event.eventType,
    'aggregate_id',
    event.aggregateId,
    'aggregate_type',
    event.aggregateType,
    'tenant_id',
    event.tenantId ?? '',
    'occurred_at',
    pythonIsoformat(event.occurredAt),
    'payload',
    message.body,
  ];
}

export function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
  return record;
}

/**
 * A live entry (fields present) as the shared core wants it. Built for every consumed entry, so
 * the field record is made only when something asks for headers (dead letters, logs).
 */
class StreamEntryMessage implements IncomingMessage {
  readonly body: string = '';
  readonly orderingKey?: string;
  readonly sizeBytes: number;
  private record?: Record<string, string>;

  constructor(
    readonly id: string,
    private readonly fields: string[],
    readonly redelivered: boolean,
    readonly previousAttempts: number,
  ) {
    // The last value of a repeated field wins, as in the record.
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] === 'payload') this.body = fields[i + 1]!;
      else if (fields[i] === 'aggregate_id') this.orderingKey = fields[i + 1] || undefined;
    }
    this.sizeBytes = Buffer.byteLength(this.body);
  }

  get headers(): Record<string, string> {
    return (this.record ??= fieldsToRecord(this.fields));
  }

  get raw(): RedisRawEntry {
    return { fields: this.fields };
  }
}

export function toIncoming(id: string, fields: string[], redelivered: boolean, previousAttempts = 0): IncomingMessage {
  return new StreamEntryMessage(id, fields, redelivered, previousAttempts);
}

/** The DLQ entry: the original fields as stored, then the dead-letter fields. */
export function toDeadLetterFields(message: IncomingMessage, info: DeadLetterInfo): string[] {
  const raw = message.raw as RedisRawEntry | undefined;
  const original = raw?.fields ?? Object.entries(message.headers).flatMap(([k, v]) => (v === undefined ? [] : [k, v]));
  return [
    ...original,
    'original_message_id',
    message.id,
    'retry_count',
    String(info.retryCount),
    'dlq_timestamp',
    pythonIsoformat(info.timestamp),
    'dlq_reason',
    info.reason,
    'dlq_error_type',
    info.errorType,
    'dlq_error_message',
    info.errorMessage,
    'dlq_failed_handlers',
    JSON.stringify(info.failedHandlers),
    'dlq_consumer_group',
    info.consumerGroup,
    'dlq_consumer_name',
    info.consumerName,
  ];
}

/** Reads a DLQ entry written by this library or by eventsource-py (which has no dlq_reason). */
export function toDlqMessage(id: string, fields: readonly string[]): DlqMessage {
  const f = fieldsToRecord(fields);
  const timestamp = f.dlq_timestamp ? new Date(f.dlq_timestamp) : null;
  return {
    id,
    eventId: f.event_id || null,
    eventType: f.event_type || null,
    // eventsource-py only dead-letters after too many deliveries.
    reason: f.dlq_reason || 'max_retries_exceeded',
    errorType: f.dlq_error_type ?? null,
    errorMessage: f.dlq_error_message ?? null,
    retryCount: Number.parseInt(f.retry_count ?? '0', 10) || 0,
    failedHandlers: parseHandlers(f.dlq_failed_handlers),
    timestamp: timestamp && !Number.isNaN(timestamp.getTime()) ? timestamp : null,
    payload: f.payload ?? '',
  };
}

function parseHandlers(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
  } catch {
    return value.split(',').filter(Boolean);
  }
}
