import type { EventSourcingLogger } from '../../utils/logger.util.js';
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
import { RabbitMQConnection } from './rabbitmq-connection.js';
import { RabbitMQConsumer } from './rabbitmq-consumer.js';
import { deadLetterEnvelope, RabbitMQDlq } from './rabbitmq-dlq.js';
import type { RabbitMQQueueInfo, ResolvedRabbitMQEventBusConfig } from './rabbitmq-event-bus.config.js';
import { toEnvelope } from './rabbitmq-message.js';
import { RabbitMQPublisher } from './rabbitmq-publisher.js';
import { BindingPlan, rabbitmqNames, type RabbitMQNames } from './rabbitmq-topology.js';

const HEALTH_QUERY_TIMEOUT_MS = 3_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from RabbitMQ within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Moves bytes between the shared broker core and RabbitMQ (amqplib); see "RabbitMQ event bus" in the README. */
export class RabbitMQTransport implements BrokerTransport {
  readonly kind = 'rabbitmq';
  readonly consumerGroup: string;
  readonly consumerName: string;
  readonly names: RabbitMQNames;
  private readonly logger: EventSourcingLogger;
  private readonly connection: RabbitMQConnection;
  private readonly publisher: RabbitMQPublisher;
  private readonly consumer: RabbitMQConsumer;
  private readonly plan: BindingPlan;
  private readonly dlq: RabbitMQDlq;
  private sink?: ConsumerSink;

  constructor(
    private readonly config: ResolvedRabbitMQEventBusConfig,
    private readonly context: TransportContext,
  ) {
    this.consumerGroup = config.consumerGroup;
    this.consumerName = config.consumerName;
    this.logger = context.logger;
    this.names = rabbitmqNames(config);
    this.plan = new BindingPlan(config);
    this.connection = new RabbitMQConnection(config, this.names, this.logger, `${config.consumerGroup}/${config.consumerName}`);
    this.publisher = new RabbitMQPublisher(this.connection, config.confirmWindow, config.publishTimeoutMs);
    this.consumer = new RabbitMQConsumer(this.connection, config, this.names, this.plan, this.logger);
    this.dlq = new RabbitMQDlq(this.connection, this.names);
    this.connection.onOpen((session, reconnect) => {
      if (reconnect) this.context.reconnected(`session ${session.id} to ${this.connection.redactedUrl}`);
    });
  }

  async connect(): Promise<void> {
    await this.connection.connect();
  }

  async disconnect(): Promise<void> {
    await this.consumer.stop();
    await this.connection.close();
    this.consumer.reset();
    this.publisher.close();
  }

  isConnected(): boolean {
    return this.connection.current !== undefined;
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    return this.publisher.publish(messages.map((message) => toEnvelope(message, this.names.exchange)));
  }

  async startConsuming(sink: ConsumerSink): Promise<void> {
    this.sink = sink;
    await this.consumer.start(sink);
  }

  stopConsuming(): Promise<void> {
    return this.consumer.stop();
  }

  ack(message: IncomingMessage): Promise<void> {
    return this.consumer.ack(message);
  }

  async deadLetter(message: IncomingMessage, info: DeadLetterInfo): Promise<void> {
    // Its channel is gone, so the broker redelivers it: dead-lettering now would duplicate it.
    if (!this.consumer.isCurrent(message)) return;
    try {
      await this.publisher.publish([deadLetterEnvelope(message, info, this.names)]);
    } catch (error) {
      // Back to the queue rather than held unacked on a live channel until it closes.
      this.consumer.requeue(message);
      throw error;
    }
    await this.consumer.ack(message);
  }

  async eventTypeSubscribed(eventType: string, aggregateType?: string): Promise<void> {
    const binding = this.plan.forEventType(eventType, aggregateType);
    if (!binding && this.config.exchangeType === 'direct' && !aggregateType && !this.config.routingKeyPattern) {
      this.logger.warn(
        `RabbitMQ: cannot bind ${this.names.queue} for '${eventType}' on the direct exchange ${this.names.exchange}: ` +
          'its class declares no static aggregateType. Declare one, or set routingKeyPattern.',
      );
    }
    await this.consumer.ensureQueues();
    await this.consumer.bind(binding);
  }

  /** Wildcard handlers want every event type, also those this process does not know. */
  async allEventsSubscribed(): Promise<void> {
    await this.consumer.bind(this.plan.forAllEvents());
  }

  // The DLQ tools declare the group's queues first: a publish-only bus has not declared them.
  async getDlqMessages(limit: number): Promise<DlqMessage[]> {
    await this.consumer.ensureQueues();
    return this.dlq.list(limit);
  }

  async readDlqMessage(id: string): Promise<DlqMessage | undefined> {
    await this.consumer.ensureQueues();
    return this.dlq.read(id);
  }

  async getDlqMessageCount(): Promise<number> {
    await this.consumer.ensureQueues();
    return this.dlq.count();
  }

  async removeDlqMessage(id: string): Promise<boolean> {
    await this.consumer.ensureQueues();
    return this.dlq.remove(id);
  }

  async purgeDlq(): Promise<number> {
    await this.consumer.ensureQueues();
    return this.dlq.purge();
  }

  async queueInfo(): Promise<RabbitMQQueueInfo> {
    await this.consumer.ensureQueues();
    const session = await this.connection.whenReady();
    const channel = await session.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      const queue = await channel.checkQueue(this.names.queue);
      const dlq = await channel.checkQueue(this.names.dlqQueue);
      return {
        queue: this.names.queue,
        messageCount: queue.messageCount,
        consumerCount: queue.consumerCount,
        dlqMessageCount: dlq.messageCount,
      };
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async healthCheck(): Promise<HealthReport> {
    const connected = this.isConnected();
    const details: Record<string, unknown> = {
      transport: this.kind,
      url: this.connection.redactedUrl,
      exchange: this.names.exchange,
      exchangeType: this.config.exchangeType,
      queue: this.names.queue,
      dlqQueue: this.names.dlqQueue,
      connected,
      reconnecting: this.connection.isReconnecting,
      unconfirmedPublishes: this.publisher.unconfirmedCount,
    };
    let responsive = true;
    if (connected && this.consumer.wantsQueues) {
      try {
        Object.assign(details, await withTimeout(this.queueInfo(), HEALTH_QUERY_TIMEOUT_MS));
      } catch (error) {
        // A half-open connection answers nothing until heartbeats give up on it.
        responsive = false;
        details.queueError = (error as Error).message;
      }
    }
    const status = connected && responsive ? 'healthy' : connected || this.connection.isReconnecting ? 'degraded' : 'unhealthy';
    return { healthy: status === 'healthy', status, details };
  }
}
