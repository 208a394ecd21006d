import { randomBytes, randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { PROBE_AGGREGATE_TYPE, PROBE_TYPE } from './probe-event.js';

export type BrokerName = 'redis' | 'rabbitmq' | 'kafka';

/** The slice of our broker buses the durability runs use (public API only). */
export interface DurableBus {
  publish(events: unknown[]): Promise<void>;
  subscribe(type: unknown, handler: (event: any) => Promise<void> | void): void;
  startConsuming(): Promise<void>;
  shutdown(timeoutMs?: number): Promise<void>;
  getDlqMessages(limit?: number): Promise<Array<{ eventId: string | null; reason: string }>>;
  getDlqMessageCount(): Promise<number>;
  getStats(): Record<string, unknown>;
}
type BusClass = new (config: Record<string, unknown>, options?: Record<string, unknown>) => DurableBus;

export interface RunNames {
  /** Stream prefix / exchange name / topic prefix. */
  base: string;
  group: string;
}

export interface BrokerSpec {
  name: BrokerName;
  host: string;
  port: number;
  /** Bus config; `viaPort` is the proxy port (Kafka: the redirect does it, the address stays). */
  busConfig(names: RunNames, viaPort: number): Record<string, unknown>;
  loadBus(): Promise<BusClass>;
  /** Writes `count` messages of random bytes straight into the event stream / exchange / topic. */
  injectGarbage(names: RunNames, viaPort: number, count: number): Promise<void>;
  cleanup(names: RunNames): Promise<void>;
}

/** Short retry delays (20 ms base) so poison events reach the DLQ quickly. */
const COMMON = {
  concurrency: 16,
  maxRetries: 3,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 200,
  handlerTimeoutMs: 5_000,
  publishTimeoutMs: 15_000,
  shutdownTimeoutMs: 5_000,
  consumerName: 'durability-consumer',
};

const ALL: Record<BrokerName, BrokerSpec> = {
  redis: {
    name: 'redis',
    host: '127.0.0.1',
    port: 6379,
    busConfig: (n, via) => ({
      ...COMMON,
      redisUrl: `redis://127.0.0.1:${via}`,
      streamPrefix: n.base,
      consumerGroup: n.group,
      pendingIdleMs: 6_000,
      claimIntervalMs: 1_000,
      blockMs: 1_000,
    }),
    loadBus: async () => (await import('../../lib/bus/redis/redis.event-bus.js')).RedisEventBus as unknown as BusClass,
    async injectGarbage(n, via, count) {
      const redis = new Redis(`redis://127.0.0.1:${via}`);
      try {
        const pipeline = redis.pipeline();
        for (let i = 0; i < count; i++) {
          pipeline.xadd(
            `${n.base}:stream`,
            '*',
            'event_id',
            randomUUID(),
            'event_type',
            PROBE_TYPE,
            'aggregate_id',
            randomUUID(),
            'aggregate_type',
            PROBE_AGGREGATE_TYPE,
            'tenant_id',
            '',
            'occurred_at',
            new Date().toISOString(),
            'payload',
            randomBytes(48),
          );
        }
        await pipeline.exec();
      } finally {
        redis.disconnect();
      }
    },
    async cleanup(n) {
      const redis = new Redis('redis://127.0.0.1:6379');
      await redis.del(`${n.base}:stream`, `${n.base}:stream_dlq`);
      redis.disconnect();
    },
  },
  rabbitmq: {
    name: 'rabbitmq',
    host: '127.0.0.1',
    port: 5672,
    busConfig: (n, via) => ({
      ...COMMON,
      rabbitmqUrl: `amqp://guest:guest@127.0.0.1:${via}`,
      exchangeName: n.base,
      consumerGroup: n.group,
      heartbeatMs: 5_000,
    }),
    loadBus: async () => (await import('../../lib/bus/rabbitmq/rabbitmq.event-bus.js')).RabbitMQEventBus as unknown as BusClass,
    async injectGarbage(n, via, count) {
      const connection = await amqp.connect(`amqp://guest:guest@127.0.0.1:${via}`);
      try {
        const channel = await connection.createConfirmChannel();
        for (let i = 0; i < count; i++)
          channel.publish(n.base, `${PROBE_AGGREGATE_TYPE}.${PROBE_TYPE}`, randomBytes(48), { persistent: true });
        await channel.waitForConfirms();
      } finally {
        await connection.close();
      }
    },
    async cleanup(n) {
      const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
      const queue = `${n.base}.${n.group}`;
      for (const [kind, name] of [
        ['q', queue],
        ['q', `${queue}.dlq`],
        ['x', n.base],
        ['x', `${n.base}_dlq`],
      ]) {
        const channel = await connection.createChannel();
        await (kind === 'q' ? channel.deleteQueue(name) : channel.deleteExchange(name)).catch(() => undefined);
        await channel.close().catch(() => undefined);
      }
      await connection.close();
    },
  },
  kafka: {
    name: 'kafka',
    host: '127.0.0.1',
    port: 9092,
    busConfig: (n) => ({
      ...COMMON,
      bootstrapServers: '127.0.0.1:9092',
      topicPrefix: n.base,
      consumerGroup: n.group,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
    }),
    loadBus: async () => (await import('../../lib/bus/kafka/kafka.event-bus.js')).KafkaEventBus as unknown as BusClass,
    async injectGarbage(n, _via, count) {
      const producer = kafkaClient().producer();
      await producer.connect();
      try {
        const messages = Array.from({ length: count }, () => ({ key: randomUUID(), value: randomBytes(48) }));
        await producer.send({ topic: `${n.base}.stream`, acks: -1, messages });
      } finally {
        await producer.disconnect();
      }
    },
    async cleanup(n) {
      const admin = kafkaClient().admin();
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const topics = [`${n.base}.stream`, `${n.base}.stream.dlq`].filter((t) => existing.has(t));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 15_000 }).catch(() => undefined);
      await admin.disconnect();
    },
  },
};

function kafkaClient(): Kafka {
  return new Kafka({ clientId: 'durability', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
}

export function brokerSpec(name: BrokerName): BrokerSpec {
  return ALL[name];
}

export const BROKERS: BrokerName[] = ['redis', 'rabbitmq', 'kafka'];
