import type { DomainEvent } from '../../events/domain-event.js';
import { EventCodec } from '../../events/event-codec.js';
import { ownEventMeta } from '../../events/event-metadata.js';
import type { EventRegistry } from '../../events/event-registry.js';
import { validateEvent } from '../../events/event-validator.js';
import { BusClosedError } from '../../errors/bus-closed.error.js';
import { PublishTimeoutError } from '../../errors/publish-timeout.error.js';
import { globalState } from '../../utils/global-state.util.js';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import { emptyBrokerStats, type BrokerEventBusStats } from '../bus-stats.js';
import { EventBus } from '../event-bus.js';
import type { PublishOptions } from '../event-publisher.js';
import type { BrokerTransport, ConsumerSink, DlqMessage, HealthReport, IncomingMessage, OutgoingMessage } from './broker-transport.js';
import type { ResolvedBrokerBusConfig } from './broker.config.js';
import { KeyedScheduler } from './keyed-scheduler.js';
import { MessageProcessor, type DeadLetterListener } from './message-processor.js';
import { RetryPolicy } from './retry-policy.js';

export interface TransportContext {
  logger: EventSourcingLogger;
  /** Report each successful reconnect (publisher or consumer side); counted in `reconnections`. */
  reconnected(detail: string): void;
}

export interface BrokerBusOptions {
  registry?: EventRegistry;
  logger?: EventSourcingLogger;
}

/**
 * The one implementation of broker-bus behaviour (design §5). Subclasses only pick a transport;
 * publishing, consuming, ordering, retries, dead letters, stats and lifecycle are shared.
 */
export abstract class BrokerEventBus<
  TConfig extends ResolvedBrokerBusConfig = ResolvedBrokerBusConfig,
> extends EventBus<BrokerEventBusStats> {
  protected readonly config: TConfig;
  protected readonly transport: BrokerTransport;
  protected readonly codec: EventCodec;
  private readonly scheduler: KeyedScheduler;
  private readonly processor: MessageProcessor;
  private readonly deadLetterListeners = new Set<DeadLetterListener>();
  private connecting?: Promise<void>;
  private consuming = false;
  private closed = false;
  private shuttingDown?: Promise<void>;

  protected constructor(config: TConfig, createTransport: (context: TransportContext) => BrokerTransport, options: BrokerBusOptions = {}) {
    super(emptyBrokerStats(), { logger: options.logger, handlerTimeoutMs: config.handlerTimeoutMs });
    this.config = config;
    this.codec = new EventCodec({ registry: options.registry, payloadNaming: config.payloadNaming });
    this.transport = createTransport({ logger: this.logger, reconnected: (detail) => this.reconnected(detail) });
    this.scheduler = new KeyedScheduler(config.concurrency, Math.max(config.concurrency * 8, 128));
    this.processor = new MessageProcessor({
      config,
      transport: this.transport,
      codec: this.codec,
      subscribers: this.subscribers,
      dispatcher: this.dispatcher,
      retry: new RetryPolicy(config),
      stats: this.stats,
      logger: this.logger,
      deadLetterListeners: this.deadLetterListeners,
    });
    this.subscribers.onNewType((eventType) => {
      if (this.consuming) void this.bindType(eventType);
    });
    this.subscribers.onFirstWildcard(() => {
      if (this.consuming) void this.bindAllTypes();
    });
  }

  /** Opens the broker connection(s). Idempotent; publish() calls it on demand. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new BusClosedError(this.constructor.name));
    this.connecting ??= this.transport.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    await this.stopConsuming();
    this.connecting = undefined;
    await this.transport.disconnect();
  }

  /** Starts the consumer and resolves once it runs (it does not block). */
  async startConsuming(): Promise<void> {
    if (this.closed) throw new BusClosedError(this.constructor.name);
    if (this.consuming) return;
    await this.connect();
    this.scheduler.restart();
    this.consuming = true;
    try {
      for (const eventType of this.subscribers.subscribedTypes()) await this.bindType(eventType);
      if (this.subscribers.wildcardCount() > 0) await this.bindAllTypes();
      await this.transport.startConsuming(this.sink());
    } catch (error) {
      this.consuming = false;
      throw error;
    }
  }

  /** Stops fetching, finishes and acks messages already fetched, bounded by shutdownTimeoutMs. */
  async stopConsuming(timeoutMs = this.config.shutdownTimeoutMs): Promise<void> {
    if (!this.consuming) return;
    this.consuming = false;
    await this.transport.stopConsuming();
    // Pending retry waits end now; those messages stay unacked and come back later.
    this.scheduler.stop();
    if (!(await this.within(this.scheduler.idle(), timeoutMs))) {
      this.logger.warn(
        `stopConsuming: ${this.scheduler.size} message(s) still in flight after ${timeoutMs} ms; they stay unacked and will be redelivered`,
      );
    }
  }

  /** Stop consuming, drain background publishes, disconnect. Idempotent. */
  shutdown(timeoutMs = this.config.shutdownTimeoutMs): Promise<void> {
    this.shuttingDown ??= (async () => {
      this.closed = true;
      await this.stopConsuming(timeoutMs);
      await this.drainBackground(timeoutMs);
      await this.transport.disconnect();
    })();
    return this.shuttingDown;
  }

  async publish(events: DomainEvent[], options?: PublishOptions): Promise<void> {
    if (this.closed) throw new BusClosedError(this.constructor.name);
    if (!Array.isArray(events)) throw new TypeError('publish() takes an array of events');
    if (events.length === 0) return;
    const messages = this.encode(events);
    if (options?.background) {
      this.runInBackground(() => this.send(messages), `publish of ${messages.length} event(s)`);
      return;
    }
    await this.send(messages);
  }

  override getStats(): BrokerEventBusStats {
    const stats = super.getStats();
    const last = this.processor.lastConsumeMs;
    return { ...stats, lastConsumeAt: last === 0 ? null : new Date(last) };
  }

  async whenIdle(): Promise<void> {
    await this.backgroundIdle();
    await this.scheduler.idle();
  }

  getDlqMessages(limit = 100): Promise<DlqMessage[]> {
    return this.connect().then(() => this.transport.getDlqMessages(limit));
  }

  getDlqMessageCount(): Promise<number> {
    return this.connect().then(() => this.transport.getDlqMessageCount());
  }

  /** Runs a dead letter through this bus's handlers; on success removes it from the DLQ. */
  async replayDlqMessage(id: string): Promise<boolean> {
    await this.connect();
    const letter = await this.transport.readDlqMessage(id);
    if (!letter) return false;
    const event = this.codec.decodeOrUnknown(letter.payload, `dead letter ${id}`);
    const failures = await this.dispatcher.run(event, this.subscribers.handlersFor(event.eventType), 1, false);
    if (failures.length > 0) return false;
    return this.transport.removeDlqMessage(id);
  }

  purgeDlq(): Promise<number> {
    return this.connect().then(() => this.transport.purgeDlq());
  }

  onDeadLetter(listener: DeadLetterListener): () => void {
    this.deadLetterListeners.add(listener);
    return () => void this.deadLetterListeners.delete(listener);
  }

  async healthCheck(): Promise<HealthReport> {
    const report = await this.transport.healthCheck();
    return { ...report, details: { ...report.details, consuming: this.consuming, closed: this.closed, inFlight: this.scheduler.size } };
  }

  private encode(events: DomainEvent[]): OutgoingMessage[] {
    return events.map((event) => {
      validateEvent(event, 'publishing');
      this.warnOnClassNameType(event);
      return { event, body: this.codec.encode(event) };
    });
  }

  private async send(messages: OutgoingMessage[]): Promise<void> {
    const accepted = this.connect().then(() => this.transport.publish(messages));
    if (!(await this.within(accepted, this.config.publishTimeoutMs))) {
      accepted.catch(() => undefined);
      throw new PublishTimeoutError(
        this.config.publishTimeoutMs,
        messages.map((m) => m.event.eventId),
      );
    }
    await accepted;
    this.stats.eventsPublished += messages.length;
    this.stats.lastPublishAt = new Date();
  }

  private sink(): ConsumerSink {
    return {
      deliver: (message: IncomingMessage, settled?: () => void) =>
        this.scheduler.enqueue(message.orderingKey, (slot, done) => this.processor.process(message, slot, done), settled),
      hasRoom: () => this.scheduler.hasRoom(),
      ready: () => this.scheduler.ready(),
      reconnected: (detail: string) => this.reconnected(detail),
    };
  }

  private reconnected(detail: string): void {
    this.stats.reconnections++;
    this.logger.warn(`${this.transport.kind}: reconnected (${detail})`);
  }

  private async bindType(eventType: string): Promise<void> {
    if (!this.transport.eventTypeSubscribed) return;
    const aggregateType = this.codec.registry.getOrUndefined(eventType)?.aggregateType;
    await this.transport.eventTypeSubscribed(eventType, aggregateType).catch((error: unknown) => this.bindFailed(eventType, error));
  }

  private async bindAllTypes(): Promise<void> {
    await this.transport.allEventsSubscribed?.().catch((error: unknown) => this.bindFailed('all event types', error));
  }

  private bindFailed(what: string, error: unknown): never {
    this.logger.error(`${this.transport.kind}: could not route ${what} to group '${this.transport.consumerGroup}'`, toError(error).stack);
    throw error;
  }

  private warnOnClassNameType(event: DomainEvent): void {
    const meta = ownEventMeta(event.constructor);
    if (meta?.source !== 'class-name') return;
    const warned = globalState().warnedTypes;
    if (warned.has(meta.typeName)) return;
    warned.add(meta.typeName);
    this.logger.warn(
      `Event type '${meta.typeName}' comes from the class name; minifiers rename classes. ` +
        `Give it a stable name: @RegisterEvent('${meta.typeName}') or static eventType.`,
    );
  }

  /** True if `work` settled within ms (its rejection propagates), false on timeout. */
  private async within(work: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([work.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
