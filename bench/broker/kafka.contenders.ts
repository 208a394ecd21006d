import { CompressionTypes, Kafka, logLevel, type Consumer, type Message, type Producer } from 'kafkajs';
import { BenchOrderPlaced } from '../harness/events.js';
import {
  CONSUMER_CONCURRENCY,
  forEachLimit,
  fromWireBody,
  suffix,
  type BrokerContender,
  type BrokerSession,
  type OurBrokerBusClass,
  type ReceiveCallback,
} from './session.js';

/** Our default partition count; the raw topic gets the same. */
const PARTITIONS = 6;

export function kafkaLocation(): { brokers: string; host: string; port: number } {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const [host, port] = brokers.split(',')[0].split(':');
  return { brokers, host, port: Number(port || 9092) };
}

function client(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: kafkaLocation().brokers.split(','), logLevel: logLevel.NOTHING });
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = client('bench-admin').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Start-up only (never timed): right after other topics were deleted, the broker can answer a
 * metadata request with UNKNOWN_TOPIC_OR_PARTITION; the error is retriable, so retry it loudly.
 */
async function retryRetriable(what: string, work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 5 || !(error as { retriable?: boolean }).retriable) throw error;
      console.log(`  !! ${what} failed with a retriable error (attempt ${attempt}): ${(error as Error).message}; retrying`);
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

export function oursKafka(KafkaEventBus: OurBrokerBusClass): BrokerContender {
  return {
    name: 'nestjs-eventsource KafkaEventBus',
    describe: 'bus.publish(list of 100) awaited (one produce request, acks all, gzip); one consumer, concurrency 16',
    async open(): Promise<BrokerSession> {
      const topicPrefix = `bench-ours-${suffix()}`;
      const bus = new KafkaEventBus({
        bootstrapServers: kafkaLocation().brokers,
        topicPrefix,
        consumerGroup: 'bench',
        concurrency: CONSUMER_CONCURRENCY,
      });
      return {
        publish: (list) => bus.publish(list as BenchOrderPlaced[]),
        async startConsumer(onEvent: ReceiveCallback) {
          bus.subscribe(BenchOrderPlaced, (e) =>
            onEvent({ eventId: e.eventId, totalAmount: e.totalAmount, aggregateVersion: e.aggregateVersion }),
          );
          await retryRetriable('KafkaEventBus.startConsuming', () => bus.startConsuming());
        },
        async close() {
          await bus.shutdown(10_000);
          await deleteTopics([`${topicPrefix}.stream`, `${topicPrefix}.stream.dlq`]);
        },
      };
    },
  };
}

/** The record our bus writes (eventsource-py's key, value and headers), built by hand. */
export function rawKafkaRecord(e: BenchOrderPlaced): Message {
  return {
    key: e.aggregateId,
    value: JSON.stringify(e.toJSON()),
    headers: {
      event_id: e.eventId,
      event_type: e.eventType,
      aggregate_id: e.aggregateId,
      aggregate_type: e.aggregateType,
      aggregate_version: String(e.aggregateVersion),
      occurred_at: e.occurredAt.toISOString(),
      correlation_id: e.correlationId,
    },
  };
}

export function rawKafkajs(): BrokerContender {
  return {
    name: 'raw kafkajs (sendBatch / eachBatch)',
    endToEndTarget: 0.7,
    describe: `producer.sendBatch(100 messages, acks -1, gzip, maxInFlightRequests 1) awaited; eachBatch with handlers 16 at a time, resolveOffset + heartbeat; ${PARTITIONS} partitions`,
    async open(): Promise<BrokerSession> {
      const topic = `bench-raw-${suffix()}.stream`;
      const kafka = client('bench-raw');
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const producer: Producer = kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      let consumer: Consumer | undefined;
      return {
        async publish(list) {
          await producer.sendBatch({
            acks: -1,
            compression: CompressionTypes.GZIP,
            topicMessages: [
              {
                topic,
                messages: list.map(rawKafkaRecord),
              },
            ],
          });
        },
        async startConsumer(onEvent) {
          consumer = kafka.consumer({ groupId: `${topic}.bench` });
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: true });
          await consumer.run({
            eachBatchAutoResolve: false,
            eachBatch: async (payload) => {
              const { messages } = payload.batch;
              await forEachLimit(messages, CONSUMER_CONCURRENCY, (m) =>
                onEvent(fromWireBody(JSON.parse(String(m.value)) as Record<string, unknown>)),
              );
              const last = messages[messages.length - 1];
              if (last) payload.resolveOffset(last.offset);
              await payload.heartbeat();
            },
          });
        },
        async close() {
          await consumer?.disconnect();
          await producer.disconnect();
          await deleteTopics([topic]);
        },
      };
    },
  };
}
