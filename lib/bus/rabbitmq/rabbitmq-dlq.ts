import { randomUUID } from 'node:crypto';
import type { Channel, GetMessage } from 'amqplib';
import type { DeadLetterInfo, DlqMessage, IncomingMessage } from '../broker/broker-transport.js';
import type { RabbitMQConnection } from './rabbitmq-connection.js';
import { headerString, type AmqpEnvelope, type RabbitMQDelivery } from './rabbitmq-message.js';
import type { RabbitMQNames } from './rabbitmq-topology.js';

/** amqplib refuses header tables over 64 KiB; an error message is cut well below that. */
const MAX_ERROR_MESSAGE = 4_096;

/** The dead letter of a delivery: same body and properties, plus the x-dlq-* headers. */
export function deadLetterEnvelope(message: IncomingMessage, info: DeadLetterInfo, names: RabbitMQNames): AmqpEnvelope {
  const { message: original, routingKey } = message.raw as RabbitMQDelivery;
  const properties = original.properties;
  const headers: Record<string, unknown> = {
    ...(properties.headers ?? {}),
    'x-dlq-id': randomUUID(),
    'x-dlq-reason': info.reason,
    'x-dlq-error-type': info.errorType,
    'x-dlq-error-message': info.errorMessage.slice(0, MAX_ERROR_MESSAGE),
    'x-dlq-retry-count': info.retryCount,
    'x-dlq-timestamp': info.timestamp.toISOString(),
    'x-dlq-failed-handlers': info.failedHandlers,
    'x-dlq-consumer-group': info.consumerGroup,
    'x-dlq-consumer-name': info.consumerName,
    'x-original-routing-key': routingKey,
  };
  return {
    exchange: names.dlqExchange,
    routingKey: names.dlqRoutingKey,
    content: original.content,
    options: {
      persistent: true,
      contentType: properties.contentType ?? 'application/json',
      contentEncoding: properties.contentEncoding ?? 'utf-8',
      priority: 0,
      messageId: properties.messageId,
      headers,
    },
    eventId: String(properties.messageId ?? message.id),
  };
}

/**
 * DLQ tools on a short-lived channel of their own: messages are read with basic.get without
 * ack and handed back (nack + requeue, in order) when the channel is done, so reading never
 * removes anything; removal acks exactly the one message.
 */
export class RabbitMQDlq {
  constructor(
    private readonly connection: RabbitMQConnection,
    private readonly names: RabbitMQNames,
  ) {}

  list(limit: number): Promise<DlqMessage[]> {
    return this.withChannel(async (channel) => {
      const letters: DlqMessage[] = [];
      while (letters.length < limit) {
        const message = await channel.get(this.names.dlqQueue, { noAck: false });
        if (!message) break;
        letters.push(toDlqMessage(message));
      }
      return letters;
    });
  }

  read(id: string): Promise<DlqMessage | undefined> {
    return this.withChannel(async (channel) => {
      const found = await this.find(channel, id);
      return found && toDlqMessage(found);
    });
  }

  remove(id: string): Promise<boolean> {
    return this.withChannel(async (channel) => {
      const found = await this.find(channel, id);
      if (found) channel.ack(found);
      return found !== undefined;
    });
  }

  count(): Promise<number> {
    return this.withChannel(async (channel) => (await channel.checkQueue(this.names.dlqQueue)).messageCount);
  }

  purge(): Promise<number> {
    return this.withChannel(async (channel) => (await channel.purgeQueue(this.names.dlqQueue)).messageCount);
  }

  /** Reads until the id shows up or the queue is exhausted (held messages are not redelivered meanwhile). */
  private async find(channel: Channel, id: string): Promise<GetMessage | undefined> {
    for (;;) {
      const message = await channel.get(this.names.dlqQueue, { noAck: false });
      if (!message) return undefined;
      if (dlqIdOf(message) === id) return message;
    }
  }

  private async withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const session = await this.connection.whenReady();
    const channel = await session.connection.createChannel();
    // Failures surface through the awaited operation; this channel must not end the session.
    channel.on('error', () => undefined);
    try {
      return await work(channel);
    } finally {
      try {
        channel.nackAll(true);
      } catch {
        // closed already: the broker requeued the held messages itself
      }
      await channel.close().catch(() => undefined);
    }
  }
}

/** `x-dlq-id`, or the message id for dead letters written by eventsource-py (it sets no id). */
function dlqIdOf(message: GetMessage): string {
  return headerString(message.properties.headers?.['x-dlq-id']) ?? String(message.properties.messageId ?? '');
}

function toDlqMessage(message: GetMessage): DlqMessage {
  const headers = message.properties.headers ?? {};
  const payload = message.content.toString('utf8');
  const timestamp = headerString(headers['x-dlq-timestamp']);
  const failed = headers['x-dlq-failed-handlers'];
  return {
    id: dlqIdOf(message),
    eventId: headerString(message.properties.messageId) ?? bodyField(payload, 'event_id'),
    eventType: headerString(headers.event_type) ?? bodyField(payload, 'event_type'),
    // eventsource-py writes the error text as x-dlq-reason and has no error message header.
    reason: headerString(headers['x-dlq-reason']) ?? 'unknown',
    errorType: headerString(headers['x-dlq-error-type']) ?? null,
    errorMessage: headerString(headers['x-dlq-error-message']) ?? null,
    retryCount: Number(headerString(headers['x-dlq-retry-count']) ?? 0) || 0,
    failedHandlers: Array.isArray(failed) ? failed.map((name) => headerString(name) ?? '') : [],
    timestamp: timestamp && !Number.isNaN(Date.parse(timestamp)) ? new Date(timestamp) : null,
    payload,
  };
}

function bodyField(payload: string, key: string): string | null {
  try {
    const value = (JSON.parse(payload) as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}
