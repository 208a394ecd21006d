import type { KafkaEventBusConfig } from '../bus/kafka/kafka-event-bus.config.js';
import type { RabbitMQEventBusConfig } from '../bus/rabbitmq/rabbitmq-event-bus.config.js';
import type { RedisEventBusConfig } from '../bus/redis/redis-event-bus.config.js';
import type { EventStore } from '../stores/event-store.interface.js';
import type { PostgresEventStoreOptions } from '../stores/postgres/postgres-event-store.options.js';
import type { EventSourcingLogger } from '../utils/logger.util.js';

export interface MemoryTransportOptions {
  type: 'memory';
}

/** What the Nest layer itself reads from every broker transport. */
export interface BrokerTransportSettings {
  /**
   * Required, with no default: two services sharing a group would split each other's events
   * instead of each receiving all of them.
   */
  consumerGroup: string;
  /**
   * `undefined` (default): consume when at least one handler is bound. `true`: always consume.
   * `false`: never consume (a publish-only service).
   */
  consume?: boolean;
}

/** A broker transport: its `type`, the Nest settings, and the rest of that bus's own config. */
export type BrokerTransportOptions<TType extends string, TConfig = Record<string, unknown>> = { type: TType } & BrokerTransportSettings &
  Omit<TConfig, 'type' | 'consumerGroup' | 'consume'>;

export type RedisTransportOptions = BrokerTransportOptions<'redis', RedisEventBusConfig>;
export type RabbitMQTransportOptions = BrokerTransportOptions<'rabbitmq', RabbitMQEventBusConfig>;
export type KafkaTransportOptions = BrokerTransportOptions<'kafka', KafkaEventBusConfig>;

export type TransportOptions = MemoryTransportOptions | RedisTransportOptions | RabbitMQTransportOptions | KafkaTransportOptions;
export type BrokerTransportType = Exclude<TransportOptions['type'], 'memory'>;

export interface MemoryEventStoreOption {
  type: 'memory';
}

/** `PostgresEventStore` options plus `type: 'postgres'` (connectionString | pool, schema, tableName, outbox, ...). */
export type PostgresEventStoreOption = { type: 'postgres' } & PostgresEventStoreOptions;

export type EventStoreOption = EventStore | MemoryEventStoreOption | PostgresEventStoreOption;

export interface EventSourcingModuleOptions {
  /** Defaults to `{ type: 'memory' }`. */
  transport?: TransportOptions;
  /** An EventStore instance or a store description. Defaults to `{ type: 'memory' }`. */
  eventStore?: EventStoreOption;
  /** Receives the bus's and the module's warnings and errors. Defaults to Nest's Logger. */
  logger?: EventSourcingLogger;
  /** How long `app.close()` waits for background publishing and in-flight messages. Default 30000. */
  shutdownTimeoutMs?: number;
  /** Repositories hand events to the bus in the background instead of awaiting their handlers. */
  publishInBackground?: boolean;
}

/** The options after validation and defaults, as the module's providers see them. */
export interface ResolvedEventSourcingOptions {
  transport: TransportOptions;
  eventStore: EventStoreOption;
  logger: EventSourcingLogger;
  shutdownTimeoutMs: number;
  publishInBackground: boolean;
}
