/** Shared helpers of the RabbitMQ integration tests: broker URL, unique names, events, cleanup. */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { IsNumber, IsString } from 'class-validator';
import {
  DomainEvent,
  EventRegistry,
  RabbitMQEventBus,
  RegisterEvent,
  type EventSourcingLogger,
  type RabbitMQEventBusConfig,
} from '../../../lib/index.js';
import { requireBroker } from '../../support/broker-available.js';

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export function rabbitAvailable(): Promise<boolean> {
  return requireBroker('RabbitMQ', async () => {
    const connection = await amqp.connect(RABBITMQ_URL);
    await connection.close();
  });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const rabbitRegistry = new EventRegistry();

@RegisterEvent({ registry: rabbitRegistry })
export class RmqOrderPlaced extends DomainEvent<RmqOrderPlaced> {
  static readonly aggregateType = 'Order';
  @IsString() readonly customerName!: string;
  @IsNumber() readonly totalAmount!: number;
}

@RegisterEvent({ registry: rabbitRegistry })
export class RmqOrderShipped extends DomainEvent<RmqOrderShipped> {
  static readonly aggregateType = 'Order';
  @IsString() readonly trackingNumber!: string;
}

export function placed(aggregateId: string, n: number, aggregateVersion = 1): RmqOrderPlaced {
  return new RmqOrderPlaced({ aggregateId, customerName: `customer-${n}`, totalAmount: n, aggregateVersion });
}

/** Collects warnings and errors instead of printing them; tests assert on them when needed. */
export function quietLogger(): EventSourcingLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    error: (message: string) => void lines.push(`ERROR ${message}`),
    warn: (message: string) => void lines.push(`WARN ${message}`),
  };
}

export function makeRabbitBus(
  config: RabbitMQEventBusConfig,
  registry = rabbitRegistry,
  logger: EventSourcingLogger = quietLogger(),
): RabbitMQEventBus {
  return new RabbitMQEventBus(
    { rabbitmqUrl: RABBITMQ_URL, retryBaseDelayMs: 20, retryMaxDelayMs: 200, shutdownTimeoutMs: 5_000, ...config },
    { registry, logger },
  );
}

/** Deletes an exchange, its DLQ exchange and the queues of the given groups. */
export async function deleteTopology(exchange: string, groups: string[]): Promise<void> {
  const connection = await amqp.connect(RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    for (const group of groups) {
      await channel.deleteQueue(`${exchange}.${group}`);
      await channel.deleteQueue(`${exchange}.${group}.dlq`);
    }
    await channel.deleteExchange(exchange);
    await channel.deleteExchange(`${exchange}_dlq`);
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** A raw channel for tests that publish or inspect messages directly. */
export async function rawChannel(): Promise<{ channel: amqp.ConfirmChannel; close: () => Promise<void> }> {
  const connection = await amqp.connect(RABBITMQ_URL);
  const channel = await connection.createConfirmChannel();
  return { channel, close: () => connection.close() };
}
