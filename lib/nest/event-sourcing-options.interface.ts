import type { EventStore } from '../stores/event-store.interface.js';
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

// The bus configs are still loose here; each broker bus narrows its own entry with its config type.
export type RedisTransportOptions = BrokerTransportOptions<'redis'>;
export type RabbitMQTransportOptions = BrokerTransportOptions<'rabbitmq'>;
export type KafkaTransportOptions = BrokerTransportOptions<'kafka'>;

export type TransportOptions = MemoryTransportOptions | RedisTransportOptions | RabbitMQTransportOptions | KafkaTransportOptions;
export type BrokerTransportType = Exclude<TransportOptions['type'], 'memory'>;

export interface MemoryEventStoreOption {
  type: 'memory';
}

export interface PostgresEventStoreOption {
  type: 'postgres';
  connectionString?: string;
  /** An existing `pg.Pool`; the store then does not own (and does not end) it. */
  pool?: unknown;
  schema?: string;
  tableName?: string;
  /** Write an outbox in the append transaction; the module then runs an OutboxRelay. */
  outbox?: boolean;
}

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
