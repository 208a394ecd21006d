import type { EventBus } from '../bus/event-bus.js';
import { InMemoryEventBus } from '../bus/memory/in-memory.event-bus.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { EventSourcingLogger } from '../utils/logger.util.js';
import type { RabbitMQEventBusConfig } from '../bus/rabbitmq/rabbitmq-event-bus.config.js';
import type { RedisEventBusConfig } from '../bus/redis/redis-event-bus.config.js';
import type { KafkaEventBusConfig } from '../bus/kafka/kafka-event-bus.config.js';
import type { TransportOptions } from './event-sourcing-options.interface.js';

/**
 * Builds the bus for the validated `transport` option. Broker buses are imported lazily, so
 * their client packages (ioredis, amqplib, kafkajs) are only needed by apps that use them.
 */
export async function createEventBus(transport: TransportOptions, logger: EventSourcingLogger): Promise<EventBus> {
  switch (transport.type) {
    case 'memory':
      return new InMemoryEventBus({ logger });
    case 'redis': {
      const { RedisEventBus } = await import('../bus/redis/redis.event-bus.js');
      return new RedisEventBus(busConfigOf(transport) as RedisEventBusConfig, { logger });
    }
    case 'rabbitmq': {
      const { RabbitMQEventBus } = await import('../bus/rabbitmq/rabbitmq.event-bus.js');
      return new RabbitMQEventBus(busConfigOf(transport) as RabbitMQEventBusConfig, { logger });
    }
    case 'kafka': {
      const { KafkaEventBus } = await import('../bus/kafka/kafka.event-bus.js');
      return new KafkaEventBus(busConfigOf(transport) as KafkaEventBusConfig, { logger });
    }
    default:
      throw new ConfigurationError(
        'transport.type',
        (transport as { type?: unknown }).type,
        "one of 'memory', 'redis', 'rabbitmq', 'kafka'",
      );
  }
}

/** The bus's own config: the transport object without the keys only the Nest layer reads. */
export function busConfigOf<T extends { type: string; consume?: boolean }>(transport: T): Omit<T, 'type' | 'consume'> {
  const { type: _type, consume: _consume, ...config } = transport;
  return config;
}
