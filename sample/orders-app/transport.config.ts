import { ConfigurationError, type EventStoreOption, type TransportOptions } from '../../lib/index.js';

const CONSUMER_GROUP = 'orders-app';

/** EVENT_BUS = memory (default) | redis | rabbitmq | kafka, with the broker's URL from its usual variable. */
export function transportFromEnv(env: NodeJS.ProcessEnv = process.env): TransportOptions {
  const bus = env.EVENT_BUS?.trim().toLowerCase() || 'memory';
  switch (bus) {
    case 'memory':
      return { type: 'memory' };
    case 'redis':
      return { type: 'redis', consumerGroup: CONSUMER_GROUP, redisUrl: env.REDIS_URL ?? 'redis://localhost:6379' };
    case 'rabbitmq':
      return { type: 'rabbitmq', consumerGroup: CONSUMER_GROUP, rabbitmqUrl: env.RABBITMQ_URL ?? 'amqp://guest:guest@localhost:5672/' };
    case 'kafka':
      return { type: 'kafka', consumerGroup: CONSUMER_GROUP, bootstrapServers: env.KAFKA_BROKERS ?? 'localhost:9092' };
    default:
      throw new ConfigurationError('EVENT_BUS', env.EVENT_BUS, "'memory', 'redis', 'rabbitmq' or 'kafka'");
  }
}

/** EVENT_STORE = memory (default) | postgres (DATABASE_URL, with an outbox so save and publish cannot diverge). */
export function eventStoreFromEnv(env: NodeJS.ProcessEnv = process.env): EventStoreOption {
  const store = env.EVENT_STORE?.trim().toLowerCase() || 'memory';
  switch (store) {
    case 'memory':
      return { type: 'memory' };
    case 'postgres':
      return { type: 'postgres', connectionString: env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/postgres', outbox: true };
    default:
      throw new ConfigurationError('EVENT_STORE', env.EVENT_STORE, "'memory' or 'postgres'");
  }
}
