import type { ConsumeMessage } from 'amqplib';
import { BrokerConnectionError } from '../../errors/broker-connection.error.js';
import type { EventSourcingLogger } from '../../utils/logger.util.js';
import type { ConsumerSink, IncomingMessage } from '../broker/broker-transport.js';
import { AckTracker } from './rabbitmq-ack-tracker.js';
import type { RabbitMQConnection, RabbitMQSession } from './rabbitmq-connection.js';
import type { ResolvedRabbitMQEventBusConfig } from './rabbitmq-event-bus.config.js';
import { toIncoming, type RabbitMQDelivery } from './rabbitmq-message.js';
import { bindQueue, declareQueues, type BindingPlan, type QueueBinding, type RabbitMQNames } from './rabbitmq-topology.js';

interface ActiveConsumer {
  tracker: AckTracker;
  consumerTag?: string;
}

/**
 * Binds the group's queue and consumes it with manual acks and `prefetchCount` unacked
 * deliveries at most. Each session gets its own channel; deliveries of a lost session are
 * forgotten (their acks dropped) because the broker redelivers them.
 */
export class RabbitMQConsumer {
  private sink?: ConsumerSink;
  private consuming = false;
  private buffer: RabbitMQDelivery[] = [];
  private pumping = false;
  private queuesWanted = false;
  private queuesDeclaredOn?: number;
  private readonly active = new Map<number, Promise<ActiveConsumer>>();
  private readonly trackers = new Map<number, AckTracker>();

  constructor(
    private readonly connection: RabbitMQConnection,
    private readonly config: ResolvedRabbitMQEventBusConfig,
    private readonly names: RabbitMQNames,
    private readonly plan: BindingPlan,
    private readonly logger: EventSourcingLogger,
  ) {
    connection.addSetup((session) => this.setUp(session));
    connection.onLost((session) => this.forget(session));
  }

  get isConsuming(): boolean {
    return this.consuming;
  }

  async start(sink: ConsumerSink): Promise<void> {
    this.sink = sink;
    this.consuming = true;
    await this.ensureQueues();
    await this.consumeOn(await this.connection.connect());
  }

  /** Cancels the consumer; deliveries not yet handed to the core go back to the queue. */
  async stop(): Promise<void> {
    this.consuming = false;
    const session = this.connection.current;
    const active = session && (await this.active.get(session.id)?.catch(() => undefined));
    if (session && active?.consumerTag) {
      const tag = active.consumerTag;
      active.consumerTag = undefined;
      await session.consumeChannel?.cancel(tag).catch(() => undefined);
    }
    for (const delivery of this.buffer.splice(0)) this.trackers.get(delivery.session)?.requeue(delivery.deliveryTag);
  }

  /** The connection was closed on purpose: every delivery still held is redelivered by the broker. */
  reset(): void {
    this.trackers.clear();
    this.active.clear();
    this.buffer = [];
  }

  get wantsQueues(): boolean {
    return this.queuesWanted;
  }

  /** Declares the group's queues and bindings now (connecting if needed) and on every later session. */
  async ensureQueues(): Promise<void> {
    const wanted = this.queuesWanted;
    this.queuesWanted = true;
    const session = await this.connection.connect();
    if (this.queuesDeclaredOn === session.id) return;
    try {
      await this.declareOn(session);
    } catch (error) {
      this.queuesWanted = wanted;
      const reason = error instanceof Error ? error.message : String(error);
      throw new BrokerConnectionError(
        `Cannot declare the RabbitMQ queue ${this.names.queue}: ${reason}` +
          (reason.includes('PRECONDITION_FAILED') ? ' (it exists with other arguments; delete it or pick another consumerGroup)' : ''),
        error,
      );
    }
  }

  /** Binds now when the queues exist; otherwise declaring them binds everything planned. */
  async bind(binding: QueueBinding | undefined): Promise<void> {
    const session = this.connection.current;
    if (binding && session && this.queuesDeclaredOn === session.id) await bindQueue(session.publishChannel, this.names, binding);
  }

  /** Acks on the channel that delivered the message; for a lost session the ack is dropped. */
  ack(message: IncomingMessage): Promise<void> {
    const delivery = message.raw as RabbitMQDelivery;
    const tracker = this.trackers.get(delivery.session);
    if (!tracker) {
      this.logger.debug?.(`Dropping the ack of ${message.id}: its channel is gone and the broker redelivers it`);
      return Promise.resolve();
    }
    return tracker.ack(delivery.deliveryTag);
  }

  /** Gives a message back to the queue now (nack + requeue) when it cannot be settled here. */
  requeue(message: IncomingMessage): void {
    const delivery = message.raw as RabbitMQDelivery;
    this.trackers.get(delivery.session)?.requeue(delivery.deliveryTag);
  }

  isCurrent(message: IncomingMessage): boolean {
    return this.trackers.has((message.raw as RabbitMQDelivery).session);
  }

  private async setUp(session: RabbitMQSession): Promise<void> {
    if (this.queuesWanted) await this.declareOn(session);
    if (this.consuming) await this.consumeOn(session);
  }

  /** On a channel of its own: a refused declaration (PRECONDITION_FAILED) closes only that channel. */
  private async declareOn(session: RabbitMQSession): Promise<void> {
    const channel = await session.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await declareQueues(channel, this.config, this.names);
      // The plan only grows; re-reading it picks up types subscribed while this runs.
      for (let i = 0; i < this.plan.all().length; i++) await bindQueue(channel, this.names, this.plan.all()[i]);
      this.queuesDeclaredOn = session.id;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private consumeOn(session: RabbitMQSession): Promise<ActiveConsumer> {
    let active = this.active.get(session.id);
    if (!active) {
      active = this.openChannel(session);
      this.active.set(session.id, active);
      active.catch(() => this.active.delete(session.id));
    }
    return active.then(async (consumer) => {
      if (!consumer.consumerTag && this.consuming) {
        const reply = await session.consumeChannel!.consume(this.names.queue, (message) => this.onDelivery(session, message), {
          noAck: false,
        });
        consumer.consumerTag = reply.consumerTag;
      }
      return consumer;
    });
  }

  private async openChannel(session: RabbitMQSession): Promise<ActiveConsumer> {
    const channel = await session.connection.createChannel();
    this.connection.watchChannel(session, channel, 'consume');
    session.consumeChannel = channel;
    await channel.prefetch(this.config.prefetchCount);
    const tracker = new AckTracker(channel, (error) => this.connection.fail(session, error));
    this.trackers.set(session.id, tracker);
    return { tracker };
  }

  private onDelivery(session: RabbitMQSession, message: ConsumeMessage | null): void {
    if (message === null) {
      this.connection.fail(session, new Error(`the broker cancelled the consumer of ${this.names.queue} (queue deleted?)`));
      return;
    }
    const tracker = this.trackers.get(session.id);
    if (!tracker) return;
    tracker.delivered(message.fields.deliveryTag);
    if (!this.consuming) {
      // Arrived between basic.cancel and its reply.
      tracker.requeue(message.fields.deliveryTag);
      return;
    }
    this.buffer.push({ session: session.id, deliveryTag: message.fields.deliveryTag, routingKey: message.fields.routingKey, message });
    void this.pump();
  }

  /** Hands deliveries over as the core has room, in delivery order. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.buffer.length > 0 && this.sink) {
        if (!this.sink.hasRoom()) await this.sink.ready();
        if (!this.sink) break;
        const delivery = this.buffer.shift();
        if (!delivery) break;
        if (!this.trackers.has(delivery.session)) continue; // lost session: redelivered on the new one
        this.sink.deliver(toIncoming(delivery));
      }
    } finally {
      this.pumping = false;
    }
  }

  private forget(session: RabbitMQSession): void {
    this.trackers.delete(session.id);
    this.active.delete(session.id);
    this.buffer = this.buffer.filter((delivery) => delivery.session !== session.id);
  }
}
