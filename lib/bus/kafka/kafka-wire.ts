import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { DomainEvent } from '../../events/domain-event.js';
import type { IncomingMessage, OutgoingMessage } from '../broker/broker-transport.js';

/**
 * eventsource-py's Kafka record format (shared/fixtures/wire/kafka-record.json): key = aggregate
 * id, value = JSON body, headers in a fixed order. Header order survives on the wire because
 * kafkajs writes an object's keys in insertion order.
 */
export function toKafkaMessage({ event, body }: OutgoingMessage): Message {
  return { key: event.aggregateId, value: body, headers: eventHeaders(event) };
}

export function eventHeaders(event: DomainEvent): Record<string, string> {
  const headers: Record<string, string> = {
    event_id: event.eventId,
    event_type: event.eventType,
    aggregate_id: event.aggregateId,
    aggregate_type: event.aggregateType,
    aggregate_version: String(event.aggregateVersion),
    occurred_at: pythonIsoformat(event.occurredAt),
    correlation_id: event.correlationId,
  };
  if (event.tenantId) headers.tenant_id = event.tenantId;
  if (event.causationId) headers.causation_id = event.causationId;
  if (event.actorId) headers.actor_id = event.actorId;
  return headers;
}

/**
 * Python's `datetime.isoformat()` of an aware UTC time: `2025-01-15T10:30:00.123000+00:00`, six
 * fraction digits, none at all when they are zero. A Date holds milliseconds, so the last three
 * digits are always 0.
 */
export function pythonIsoformat(date: Date): string {
  const iso = date.toISOString(); // 2025-01-15T10:30:00.123Z
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? `${iso.slice(0, 19)}+00:00` : `${iso.slice(0, 23)}000+00:00`;
}

/** Where a fetched record came from; kept on IncomingMessage.raw. */
export interface KafkaRecordOrigin {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export function toIncomingMessage(topic: string, partition: number, message: KafkaMessage): IncomingMessage & { raw: KafkaRecordOrigin } {
  const headers = decodeHeaders(message.headers);
  const value = message.value ?? Buffer.alloc(0);
  const key = message.key && message.key.length > 0 ? message.key.toString('utf8') : undefined;
  // eventsource-py republishes failed records with a retry_count header; honour it so both
  // implementations stop at the same maxRetries.
  const previousAttempts = Number.parseInt(headers.retry_count ?? '', 10);
  return {
    id: `${partition}:${message.offset}`,
    body: value,
    headers,
    orderingKey: key ?? headers.aggregate_id,
    sizeBytes: value.length,
    previousAttempts: Number.isInteger(previousAttempts) && previousAttempts > 0 ? previousAttempts : 0,
    raw: {
      topic,
      partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value ?? null,
      headers: message.headers ?? {},
    },
  };
}

/** kafkajs header values are Buffers (or arrays of them when a name repeats): the last one wins. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string | undefined> {
  const decoded: Record<string, string | undefined> = {};
  if (!headers) return decoded;
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return decoded;
}
