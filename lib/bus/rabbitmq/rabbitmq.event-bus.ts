import type { DomainEvent } from '../../events/domain-event.js';
import { eventTypeOf, resolveEventClass, type EventClass, type EventClassRef } from '../../events/event-metadata.js';
import { toError } from '../../utils/logger.util.js';
import { BrokerEventBus, type BrokerBusOptions } from '../broker/broker.event-bus.js';
import {
  resolveRabbitMQConfig,
  type RabbitMQEventBusConfig,
  type RabbitMQQueueInfo,
  type ResolvedRabbitMQEventBusConfig,
} from './rabbitmq-event-bus.config.js';
import { RabbitMQTransport } from './rabbitmq.transport.js';

export interface PublishBatchOptions {
  /**
   * true (default): chunks go out one after another and the first failed chunk stops the
   * batch, so a later event never lands before an earlier one. false: chunks go out together.
   */
  preserveOrder?: boolean;
}

export interface PublishBatchResult {
  total: number;
  published: number;
  failed: number;
  chunks: number;
  /** Why chunks failed, in chunk order (also logged). */
  errors: Error[];
}

/**
 * Event bus over a RabbitMQ exchange (design §5): one durable queue per consumer group,
 * publisher confirms, manual acks, dead letters in `{exchange}_dlq`. See "RabbitMQ event bus" in the README.
 */
export class RabbitMQEventBus extends BrokerEventBus<ResolvedRabbitMQEventBusConfig> {
  constructor(config: RabbitMQEventBusConfig = {}, options: BrokerBusOptions = {}) {
    const resolved = resolveRabbitMQConfig(config);
    super(resolved, (context) => new RabbitMQTransport(resolved, context), options);
  }

  /** Name of this group's queue, `{exchangeName}.{consumerGroup}`. */
  get queueName(): string {
    return this.rabbitmq.names.queue;
  }

  /**
   * Binds the group's queue for an event type now, before any handler exists, so its events
   * are kept for this group from this moment on.
   */
  async bindEventType(eventClass: EventClassRef): Promise<void> {
    const cls = resolveEventClass(eventClass) as EventClass | undefined;
    if (!cls) throw new TypeError('bindEventType() takes an event class (or a thunk returning one)');
    await this.connect();
    await this.rabbitmq.eventTypeSubscribed(eventTypeOf(cls), cls.aggregateType);
  }

  /** Publishes in chunks of `batchSize` events; each chunk is one confirm window. */
  async publishBatch(events: DomainEvent[], options: PublishBatchOptions = {}): Promise<PublishBatchResult> {
    const size = this.config.batchSize;
    const chunks: DomainEvent[][] = [];
    for (let i = 0; i < events.length; i += size) chunks.push(events.slice(i, i + size));
    const result: PublishBatchResult = { total: events.length, published: 0, failed: 0, chunks: chunks.length, errors: [] };
    const record = (chunk: DomainEvent[], error?: unknown): void => {
      if (error === undefined) {
        result.published += chunk.length;
        return;
      }
      result.failed += chunk.length;
      result.errors.push(toError(error));
      this.logger.error(`publishBatch: a chunk of ${chunk.length} event(s) failed`, toError(error).stack);
    };
    if (options.preserveOrder ?? true) {
      for (const [index, chunk] of chunks.entries()) {
        try {
          await this.publish(chunk);
          record(chunk);
        } catch (error) {
          record(chunk, error);
          // Publishing later chunks would put them ahead of the failed ones.
          for (const skipped of chunks.slice(index + 1)) result.failed += skipped.length;
          break;
        }
      }
      return result;
    }
    const outcomes = await Promise.allSettled(chunks.map((chunk) => this.publish(chunk)));
    outcomes.forEach((outcome, i) =>
      record(chunks[i], outcome.status === 'rejected' ? (outcome.reason ?? new Error('rejected')) : undefined),
    );
    return result;
  }

  /** Message and consumer counts of the group's queue and its DLQ. */
  getQueueInfo(): Promise<RabbitMQQueueInfo> {
    return this.connect().then(() => this.rabbitmq.queueInfo());
  }

  private get rabbitmq(): RabbitMQTransport {
    return this.transport as RabbitMQTransport;
  }
}
