import type { Admin, Kafka, Producer } from 'kafkajs';
import { BrokerConnectionError } from '../../errors/broker-connection.error.js';
import { PublishRejectedError } from '../../errors/publish-rejected.error.js';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import type {
  BrokerTransport,
  ConsumerSink,
  DeadLetterInfo,
  DlqMessage,
  HealthReport,
  IncomingMessage,
  OutgoingMessage,
} from '../broker/broker-transport.js';
import type { TransportContext } from '../broker/broker.event-bus.js';
import { KafkaAdminOps } from './kafka-admin.js';
import { createKafkaClient, loadKafkaJs, type KafkaJsModule } from './kafka-client.js';
import { KafkaDlq } from './kafka-dlq.js';
import type { ResolvedKafkaEventBusConfig } from './kafka-event-bus.config.js';
import { KafkaGroupConsumer } from './kafka-group-consumer.js';
import { toKafkaMessage, type KafkaRecordOrigin } from './kafka-wire.js';
import type { KafkaReplayPosition, KafkaTopicInfo } from './kafka.types.js';

interface KafkaClients {
  kafkajs: KafkaJsModule;
  compression: number;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  adminOps: KafkaAdminOps;
  dlq: KafkaDlq;
}

/** Moves bytes between the shared broker core and Kafka (design §5, Kafka part). */
export class KafkaTransport implements BrokerTransport {
  readonly kind = 'kafka';
  readonly consumerGroup: string;
  readonly consumerName: string;
  private readonly logger: EventSourcingLogger;
  private clients: KafkaClients | undefined;
  private group: KafkaGroupConsumer | undefined;
  private stopping: Promise<void> | undefined;
  private abortStop: () => void = () => undefined;

  constructor(
    private readonly config: ResolvedKafkaEventBusConfig,
    context: TransportContext,
  ) {
    this.logger = context.logger;
    this.consumerGroup = config.consumerGroup;
    this.consumerName = config.consumerName;
  }

  async connect(): Promise<void> {
    if (this.clients) return;
    const kafkajs = await loadKafkaJs();
    const kafka = createKafkaClient(kafkajs, this.config, this.logger);
    const admin = kafka.admin();
    const producer = kafka.producer({
      // One request in flight per broker: a retried request cannot overtake a later one.
      maxInFlightRequests: 1,
      idempotent: false,
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      // Short retries: publish() itself repeats the send until publishTimeoutMs.
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 5 },
    });
    try {
      await admin.connect();
      const adminOps = new KafkaAdminOps(admin, this.config, this.logger);
      const compression = this.config.compressionType === 'gzip' ? kafkajs.CompressionTypes.GZIP : kafkajs.CompressionTypes.None;
      const dlq = new KafkaDlq(kafka, admin, producer, this.config, compression);
      if (this.config.createTopics) {
        const { dlqCreated } = await adminOps.ensureTopics();
        if (dlqCreated) await dlq.clearTopic(this.config.replayedTopic);
      }
      await producer.connect();
      this.clients = { kafkajs, compression, kafka, admin, producer, adminOps, dlq };
    } catch (error) {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      const cause = toError(error);
      throw new BrokerConnectionError(`Could not connect to Kafka at ${this.config.brokers.join(',')}: ${cause.message}`, cause);
    }
  }

  async disconnect(): Promise<void> {
    this.abortStop();
    await this.stopping;
    if (this.group?.running) await this.group.stop(Promise.resolve());
    const clients = this.clients;
    this.clients = undefined;
    if (!clients) return;
    await Promise.allSettled([clients.producer.disconnect(), clients.admin.disconnect()]);
  }

  isConnected(): boolean {
    return this.clients !== undefined;
  }

  /**
   * One send for the whole call: kafkajs batches it into one produce request per broker. While
   * the broker is unreachable kafkajs gives up within seconds; the send is repeated until
   * publishTimeoutMs (the core's deadline for this publish) has passed.
   */
  async publish(messages: OutgoingMessage[]): Promise<void> {
    const deadline = Date.now() + this.config.publishTimeoutMs;
    const kafkaMessages = messages.map(toKafkaMessage);
    for (let attempt = 1; ; attempt++) {
      const { producer, compression } = this.require();
      try {
        await producer.send({ topic: this.config.topic, acks: this.config.acks, compression, messages: kafkaMessages });
        return;
      } catch (error) {
        const cause = toError(error);
        const ids = messages.map((m) => m.event.eventId);
        if (isRejection(cause)) throw new PublishRejectedError([], ids, cause, false);
        const delay = Math.min(1_000, 50 * 2 ** attempt);
        if (Date.now() + delay >= deadline || !this.clients) {
          throw new BrokerConnectionError(`Kafka did not accept ${ids.length} event(s) on ${this.config.topic}: ${cause.message}`, cause);
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async startConsuming(sink: ConsumerSink): Promise<void> {
    const { kafka } = this.require();
    await this.stopping;
    this.group ??= new KafkaGroupConsumer(kafka, this.config, sink, this.logger);
    await this.group.start();
  }

  /**
   * Stops fetching at once. Messages already handed to the core keep settling; a background
   * step commits them and leaves the group (see whenConsumerStopped()).
   */
  async stopConsuming(): Promise<void> {
    const group = this.group;
    if (!group?.running) return;
    const abort = new Promise<void>((resolve) => (this.abortStop = resolve));
    const stopping = group.stop(abort).finally(() => {
      if (this.stopping === stopping) this.stopping = undefined;
    });
    this.stopping = stopping;
  }

  /** Resolves when the consumer left the group; after `timeoutMs`, unsettled messages are given up. */
  async whenConsumerStopped(timeoutMs: number): Promise<void> {
    if (!this.stopping) return;
    const timer = setTimeout(() => this.abortStop(), timeoutMs);
    try {
      await this.stopping;
    } finally {
      clearTimeout(timer);
    }
  }

  get consuming(): boolean {
    return this.group?.running ?? false;
  }

  async ack(message: IncomingMessage): Promise<void> {
    this.group?.processor.batchFor(message)?.markDone(origin(message).offset);
  }

  async deadLetter(message: IncomingMessage, info: DeadLetterInfo): Promise<void> {
    await this.require().dlq.write(origin(message), info);
    await this.ack(message);
  }

  async keepAlive(message: IncomingMessage): Promise<void> {
    this.group?.processor.retryStarted(message);
  }

  getDlqMessages(limit: number): Promise<DlqMessage[]> {
    return this.require().dlq.list(limit);
  }

  readDlqMessage(id: string): Promise<DlqMessage | undefined> {
    return this.require().dlq.read(id);
  }

  getDlqMessageCount(): Promise<number> {
    return this.require().dlq.count();
  }

  removeDlqMessage(id: string): Promise<boolean> {
    return this.require().dlq.markReplayed(id);
  }

  purgeDlq(): Promise<number> {
    return this.require().dlq.purge();
  }

  /**
   * Moves the group to `position`. Consuming: the caller has stopped this consumer; the group must
   * be idle, and the new positions are applied when the consumer rejoins. Not consuming: the
   * offsets are committed for the group now.
   */
  async prepareReplay(position: KafkaReplayPosition, consuming: boolean): Promise<void> {
    const { adminOps } = this.require();
    const offsets = await adminOps.replayOffsets(position);
    if (!consuming) return adminOps.moveGroupOffsets(offsets);
    await adminOps.assertGroupIdle();
    this.group?.seekOnNextJoin(offsets);
  }

  async topicInfo(): Promise<KafkaTopicInfo> {
    const partitions = this.clients ? await this.clients.adminOps.partitionCount().catch(() => 0) : 0;
    return {
      connected: this.isConnected(),
      topic: this.config.topic,
      dlqTopic: this.config.dlqTopic,
      partitions,
      consumerGroup: this.config.consumerGroup,
      assignedPartitions: this.group?.assignedPartitions() ?? [],
    };
  }

  counters(): { rebalances: number; consumerRestarts: number } {
    return { ...(this.group?.counters ?? { rebalances: 0, consumerRestarts: 0 }) };
  }

  async healthCheck(): Promise<HealthReport> {
    const details: Record<string, unknown> = {
      transport: this.kind,
      brokers: this.config.brokers,
      securityProtocol: this.config.securityProtocol,
      topic: this.config.topic,
      dlqTopic: this.config.dlqTopic,
      consumerGroup: this.consumerGroup,
      consumerName: this.consumerName,
      connected: this.isConnected(),
      assignedPartitions: this.group?.assignedPartitions() ?? [],
      heldPartitions: this.group?.processor.heldPartitions().map((p) => p.partition) ?? [],
      ...this.counters(),
      lastCrash: this.group?.lastCrash ?? null,
    };
    if (!this.clients) return { healthy: false, status: 'unhealthy', details: { ...details, error: 'not connected' } };
    try {
      details.cluster = await withTimeout(this.clients.adminOps.describeCluster(), 5_000);
    } catch (error) {
      return { healthy: false, status: 'unhealthy', details: { ...details, error: toError(error).message } };
    }
    const consumerDown = this.group?.recovering === true;
    return { healthy: !consumerDown, status: consumerDown ? 'degraded' : 'healthy', details };
  }

  private require(): KafkaClients {
    if (!this.clients) throw new BrokerConnectionError('The Kafka transport is not connected (call connect() first)');
    return this.clients;
  }
}

/** The broker refused the records themselves (too large, invalid, not authorized): retrying cannot help. */
function isRejection(error: Error): boolean {
  let root: Error & { retriable?: boolean; cause?: unknown } = error;
  while (root.cause instanceof Error) root = root.cause;
  return root.name === 'KafkaJSProtocolError' && root.retriable === false;
}

function origin(message: IncomingMessage): KafkaRecordOrigin {
  return message.raw as KafkaRecordOrigin;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
