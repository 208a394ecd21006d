/** Shared helpers of the Kafka integration tests: broker address, unique names, raw clients, cleanup. */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type IHeaders, type Producer } from 'kafkajs';
import { KafkaEventBus, type EventRegistry, type EventSourcingLogger, type KafkaEventBusConfig } from '../../../lib/index.js';
import { requireBroker } from '../../support/broker-available.js';

/** 127.0.0.1, not localhost: Node may try ::1 first, and the local broker listens on IPv4 only. */
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/**
 * Settings that keep group joins and rebalances fast in tests (the broker rejects sessions
 * under 6 s; heartbeats every 500 ms let members notice a rebalance quickly).
 */
export const FAST_GROUP = { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000 } as const;

export function kafkaAvailable(): Promise<boolean> {
  return requireBroker('Kafka', async () => {
    const admin = rawKafka().admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }, 10_000);
}

export function uniqueName(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

export function rawKafka(): Kafka {
  return new Kafka({
    clientId: 'kafka-tests',
    brokers: KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  });
}

/** Collects log lines instead of printing them; tests assert on them when needed. */
export function quietLogger(): EventSourcingLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, error: keep('ERROR'), warn: keep('WARN'), log: keep('LOG'), debug: keep('DEBUG') };
}

export function makeKafkaBus(config: KafkaEventBusConfig, options: { registry?: EventRegistry; logger?: EventSourcingLogger } = {}): KafkaEventBus {
  return new KafkaEventBus(
    { bootstrapServers: KAFKA_BROKERS, retryBaseDelayMs: 20, retryMaxDelayMs: 200, shutdownTimeoutMs: 10_000, partitions: 4, ...FAST_GROUP, ...config },
    { logger: options.logger ?? quietLogger(), registry: options.registry },
  );
}

/** What tests do behind the bus's back: raw records, inspection, cleanup. */
export class KafkaTestClient {
  readonly kafka = rawKafka();
  private adminClient?: Promise<Admin>;
  private producerClient?: Promise<Producer>;

  admin(): Promise<Admin> {
    this.adminClient ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    return this.adminClient;
  }

  producer(): Promise<Producer> {
    this.producerClient ??= (async () => {
      const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    })();
    return this.producerClient;
  }

  /** A record as a foreign producer would write it: key, value and headers exactly as given. */
  async produceRaw(topic: string, record: { key?: string | null; value: string; headers?: IHeaders }): Promise<void> {
    const producer = await this.producer();
    await producer.send({ topic, acks: -1, messages: [{ key: record.key ?? null, value: record.value, headers: record.headers }] });
  }

  /** Deletes every topic named after one of the prefixes (`{prefix}.stream`, its DLQ, ...). */
  async deleteTopics(prefixes: string[]): Promise<void> {
    if (prefixes.length === 0) return;
    const admin = await this.admin();
    const topics = (await admin.listTopics()).filter((topic) => prefixes.some((prefix) => topic.startsWith(`${prefix}.`)));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => undefined);
  }

  async close(): Promise<void> {
    const clients = [this.producerClient, this.adminClient];
    this.producerClient = undefined;
    this.adminClient = undefined;
    await Promise.allSettled(clients.map(async (client) => (await client)?.disconnect()));
  }
}
