/** Shared helpers of the Kafka integration tests: broker address, unique names, raw clients, cleanup. */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Admin, type IHeaders, type Producer } from 'kafkajs';
import { KafkaEventBus, type EventRegistry, type EventSourcingLogger, type KafkaEventBusConfig } from '../../../lib/index.js';
import { afterAll } from 'vitest';
import { requireBroker } from '../../support/broker-available.js';

/** 127.0.0.1, not localhost: Node may try ::1 first, and the local broker listens on IPv4 only. */
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/**
 * Settings that keep group joins and rebalances fast in tests (the broker rejects sessions
 * under 6 s; heartbeats every 500 ms let members notice a rebalance quickly).
 */
export const FAST_GROUP = { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000 } as const;

export function kafkaAvailable(): Promise<boolean> {
  return requireBroker(
    'Kafka',
    async () => {
      const admin = rawKafka().admin();
      try {
        await admin.connect();
        await admin.describeCluster();
      } finally {
        await admin.disconnect();
      }
    },
    10_000,
  );
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

export function makeKafkaBus(
  config: KafkaEventBusConfig,
  options: { registry?: EventRegistry; logger?: EventSourcingLogger } = {},
): KafkaEventBus {
  return new KafkaEventBus(
    {
      bootstrapServers: KAFKA_BROKERS,
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 200,
      shutdownTimeoutMs: 10_000,
      partitions: 4,
      ...FAST_GROUP,
      ...config,
    },
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

const LOCK_DIR = join(tmpdir(), 'nestjs-eventsource-kafka-tests.lock');

/**
 * Kafka test files take turns on the one local broker: the broker-restart test stops it, and
 * group rebalances slow down under parallel files. A directory is the lock (mkdir is atomic);
 * a lock whose owner process died is taken over.
 */
export async function lockKafkaBroker(timeoutMs = 600_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, 'pid'), String(process.pid));
      const release = () => rmSync(LOCK_DIR, { recursive: true, force: true });
      process.once('exit', release);
      return async () => {
        process.off('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(join(LOCK_DIR, 'pid'), 'utf8').catch(() => 'NaN'));
      if (Number.isInteger(owner) && !isAlive(owner)) await rm(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Kafka test lock ${LOCK_DIR} still held after ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * For the top of a Kafka test file: waits for the broker lock (held until the file's afterAll),
 * then probes the broker. False skips the file locally; with CI=true an unreachable broker throws.
 */
export async function useKafkaBroker(): Promise<boolean> {
  const unlock = await lockKafkaBroker();
  afterAll(unlock);
  return kafkaAvailable();
}

export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  /** Header names and values in wire order. */
  headers: Array<[string, string]>;
}

/** Reads the first `count` records of `topic` with a throwaway group (what any other client would see). */
export async function readRawRecords(kafka: Kafka, topic: string, count: number, timeoutMs = 20_000): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('raw-reader'), maxWaitTimeInMs: 100 });
  let done: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => (done = resolve));
  const timer = setTimeout(done, timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
          headers: Object.entries(message.headers ?? {}).map(([name, value]) => [
            name,
            String(Array.isArray(value) ? value.at(-1) : value),
          ]),
        });
        if (records.length >= count) done();
      },
    });
    await enough;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return records;
}

/** The partition kafkajs's default (Java-compatible murmur2) partitioner picks for a key. */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, id) => ({
    partitionId: id,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));
  return Partitioners.DefaultPartitioner()({ topic: 'any', partitionMetadata, message: { key, value: null } });
}

/**
 * The buses and topics one test file creates: `bus()` builds a bus with the file's defaults
 * (a function, so each bus can get a fresh consumer group), `prefix()` names a topic prefix,
 * and `cleanup()` (for afterAll) shuts the buses down and deletes the topics.
 */
export class KafkaTestScope {
  readonly raw = new KafkaTestClient();
  private readonly prefixes: string[] = [];
  private readonly buses: KafkaEventBus[] = [];

  constructor(
    private readonly label: string,
    private readonly defaults: () => KafkaEventBusConfig,
    private readonly options: { registry?: EventRegistry; logger?: () => EventSourcingLogger } = {},
  ) {}

  bus(topicPrefix: string, config: Record<string, unknown> = {}): KafkaEventBus {
    const created = makeKafkaBus(
      { topicPrefix, ...this.defaults(), ...config },
      { registry: this.options.registry, logger: this.options.logger?.() },
    );
    this.buses.push(created);
    return created;
  }

  prefix(label: string): string {
    const name = uniqueName(`${this.label}-${label}`);
    this.prefixes.push(name);
    return name;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.buses.map((b) => b.shutdown(5_000)));
    await this.raw.deleteTopics(this.prefixes);
    await this.raw.close();
  }
}
