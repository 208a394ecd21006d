import type { ConsumeMessage, Options } from 'amqplib';
import type { DomainEvent } from '../../events/domain-event.js';
import type { IncomingMessage, OutgoingMessage } from '../broker/broker-transport.js';
import { routingKeyOf } from './rabbitmq-topology.js';

/** One AMQP message ready for basic.publish. */
export interface AmqpEnvelope {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
  /** Event id, for PublishRejectedError and logs. */
  eventId: string;
}

/** What the transport keeps about a delivery, to ack it on the right channel. */
export interface RabbitMQDelivery {
  /** Increases with every (re)connection; acks for an older session are dropped. */
  session: number;
  deliveryTag: number;
  routingKey: string;
  message: ConsumeMessage;
}

/**
 * Properties and headers as eventsource-py writes them: persistent JSON, message_id = event
 * id, timestamp = occurred_at in whole seconds, integer aggregate_version and x-retry-count.
 */
export function toEnvelope(message: OutgoingMessage, exchange: string): AmqpEnvelope {
  const event = message.event;
  return {
    exchange,
    routingKey: routingKeyOf(event.aggregateType, event.eventType),
    content: Buffer.from(message.body, 'utf8'),
    options: {
      persistent: true,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      priority: 0,
      messageId: event.eventId,
      timestamp: Math.floor(event.occurredAt.getTime() / 1000),
      headers: eventHeaders(event),
    },
    eventId: event.eventId,
  };
}

export function eventHeaders(event: DomainEvent): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    event_type: event.eventType,
    aggregate_type: event.aggregateType,
    aggregate_id: event.aggregateId,
    aggregate_version: event.aggregateVersion,
    correlation_id: event.correlationId,
    'x-retry-count': 0,
  };
  if (event.tenantId) headers.tenant_id = event.tenantId;
  if (event.causationId) headers.causation_id = event.causationId;
  return headers;
}

/** A delivery in the shape the shared core consumes. */
export function toIncoming(delivery: RabbitMQDelivery): IncomingMessage {
  const { message } = delivery;
  const headers = stringHeaders(message.properties.headers);
  const messageId: unknown = message.properties.messageId;
  // eventsource-py sends the event id only as message_id; the core reads event_id.
  if (typeof messageId === 'string') {
    headers.message_id ??= messageId;
    headers.event_id ??= messageId;
  }
  const retries = Number(headers['x-retry-count']);
  return {
    id: `${delivery.session}:${delivery.deliveryTag}`,
    body: message.content,
    headers,
    orderingKey: headers.aggregate_id || undefined,
    sizeBytes: message.content.length,
    previousAttempts: Number.isInteger(retries) && retries > 0 ? retries : 0,
    redelivered: message.fields.redelivered,
    raw: delivery,
  };
}

/** AMQP table values (numbers, Buffers, arrays, dates) flattened to strings. */
export function stringHeaders(table: Record<string, unknown> | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(table ?? {})) out[key] = headerString(value);
  return out;
}

export function headerString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => headerString(v) ?? '').join(',');
  if (typeof value === 'object') {
    // amqplib decodes typed values it cannot map to JS as { '!': type, value }.
    const typed = value as { value?: unknown };
    return 'value' in typed ? headerString(typed.value) : JSON.stringify(value);
  }
  return String(value as number | boolean | bigint);
}
