import 'reflect-metadata';

export * from './errors/index.js';

export * from './events/domain-event.js';
export * from './events/event-metadata.js';
export * from './events/event-registry.js';
export * from './events/register-event.decorator.js';
export * from './events/event-validator.js';
export * from './events/event-codec.js';
export * from './events/unknown-event.js';

export * from './aggregates/aggregate-root.js';
export * from './aggregates/aggregate.repository.js';

export * from './stores/event-store.interface.js';
export * from './stores/in-memory.event-store.js';

export * from './bus/event-publisher.js';
export * from './bus/handler.js';
export * from './bus/bus-stats.js';
export * from './bus/dispatcher.js';
export * from './bus/event-bus.js';
export * from './bus/subscriber-registry.js';
export * from './bus/memory/in-memory.event-bus.js';

export * from './utils/logger.util.js';

export * from './bus/broker/broker-transport.js';
export * from './bus/broker/broker.config.js';
export * from './bus/broker/broker.event-bus.js';
export * from './bus/broker/retry-policy.js';
export * from './utils/redact-url.util.js';

export * from './stores/postgres/postgres.event-store.js';
export type { PostgresEventStoreOptions } from './stores/postgres/postgres-event-store.options.js';
export * from './stores/postgres/outbox-relay.js';

export * from './nest/index.js';

export * from './bus/rabbitmq/rabbitmq.event-bus.js';
export * from './bus/rabbitmq/rabbitmq-event-bus.config.js';

export * from './bus/redis/redis-event-bus.config.js';
export * from './bus/redis/redis.event-bus.js';

export * from './bus/kafka/kafka-event-bus.config.js';
export * from './bus/kafka/kafka.event-bus.js';
