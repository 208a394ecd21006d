import type { DomainEvent } from '../../events/domain-event.js';
import type { EventCodec } from '../../events/event-codec.js';
import { EventTypeNotFoundError } from '../../errors/event-type-not-found.error.js';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import type { BrokerEventBusStats } from '../bus-stats.js';
import type { Dispatcher, HandlerFailure } from '../dispatcher.js';
import type { HandlerEntry } from '../handler.js';
import type { SubscriberRegistry } from '../subscriber-registry.js';
import type { BrokerTransport, DeadLetterInfo, DeadLetterReason, IncomingMessage } from './broker-transport.js';
import type { ResolvedBrokerBusConfig } from './broker.config.js';
import type { TaskSlot } from './keyed-scheduler.js';
import type { RetryPolicy } from './retry-policy.js';

export type DeadLetterListener = (letter: DeadLetterInfo & { eventId: string | null; eventType: string | null; payload: string }) => void;

interface ProcessorDeps {
  config: ResolvedBrokerBusConfig;
  transport: BrokerTransport;
  codec: EventCodec;
  subscribers: SubscriberRegistry;
  dispatcher: Dispatcher;
  retry: RetryPolicy;
  stats: BrokerEventBusStats;
  logger: EventSourcingLogger;
  deadLetterListeners: ReadonlySet<DeadLetterListener>;
}

/**
 * What happens to one fetched message, identically on every broker: decode, route, dispatch,
 * retry only the failed handlers on a timer, then ack or dead-letter.
 */
export class MessageProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  async process(message: IncomingMessage, slot: TaskSlot): Promise<void> {
    const { stats, config } = this.deps;
    stats.eventsConsumed++;
    stats.lastConsumeAt = new Date();
    // Redelivered after a crash, reclaim or restart: the broker had it pending for someone.
    if (message.redelivered) stats.messagesRecovered++;
    if (message.sizeBytes > config.maxPayloadBytes) {
      return this.deadLetter(message, 'deserialization_error', 'PayloadTooLargeError', `Message of ${message.sizeBytes} bytes exceeds maxPayloadBytes=${config.maxPayloadBytes}`);
    }
    const event = await this.decode(message);
    if (!event) return;
    const handlers = this.deps.subscribers.handlersFor(event.eventType);
    if (handlers.length === 0) {
      stats.eventsSkipped++;
      return this.ack(message);
    }
    await this.dispatchWithRetries(message, event, handlers, slot);
  }

  /** Returns the event, or settles the message (dead letter / skip) and returns undefined. */
  private async decode(message: IncomingMessage): Promise<DomainEvent | undefined> {
    const { codec, subscribers, config, stats } = this.deps;
    const context = `message ${message.id}`;
    try {
      return codec.decode(message.body, context);
    } catch (error) {
      if (!(error instanceof EventTypeNotFoundError)) {
        const cause = toError(error);
        await this.deadLetter(message, 'deserialization_error', cause.name, cause.message);
        return undefined;
      }
      if (subscribers.wildcardCount() > 0) {
        try {
          return codec.decodeOrUnknown(message.body, context);
        } catch (inner) {
          const cause = toError(inner);
          await this.deadLetter(message, 'deserialization_error', cause.name, cause.message);
          return undefined;
        }
      }
      if (config.onUnknownEventType === 'skip') {
        stats.eventsSkipped++;
        await this.ack(message);
        return undefined;
      }
      await this.deadLetter(message, 'unknown_event_type', error.name, error.message);
      return undefined;
    }
  }

  private async dispatchWithRetries(message: IncomingMessage, event: DomainEvent, handlers: readonly HandlerEntry[], slot: TaskSlot): Promise<void> {
    const { dispatcher, retry, stats, transport } = this.deps;
    let pending = handlers;
    const firstAttempt = (message.previousAttempts ?? 0) + 1;
    if (!retry.willRetry(firstAttempt - 1) && firstAttempt > 1) {
      // Delivered more often than the retry budget allows (e.g. it crashed the consumer each
      // time): dead-letter without running it again.
      stats.eventsProcessedFailed++;
      const detail = `Delivered ${firstAttempt - 1} time(s) before without being acknowledged`;
      return this.deadLetter(message, 'max_retries_exceeded', 'RedeliveryLimitExceeded', detail, firstAttempt - 1, [], event);
    }
    for (let attempt = firstAttempt; ; attempt++) {
      const willRetry = retry.willRetry(attempt);
      const failures: readonly HandlerFailure[] = await dispatcher.run(event, pending, attempt, willRetry);
      if (failures.length === 0) {
        stats.eventsProcessedSuccess++;
        return this.ack(message);
      }
      if (!willRetry) {
        stats.eventsProcessedFailed++;
        const last = failures[failures.length - 1].error;
        return this.deadLetter(message, 'max_retries_exceeded', last.name, last.message, attempt - 1, failures.map((f) => f.entry.name), event);
      }
      stats.messagesRetried++;
      pending = failures.map((failure) => failure.entry);
      await transport.keepAlive?.(message).catch((error: unknown) => this.deps.logger.warn(`Could not refresh ${message.id} while it waits for a retry`, toError(error).message));
      // The wait gives up the concurrency slot but keeps the aggregate's place in line.
      if (!(await slot.pause(retry.delayAfter(attempt)))) return; // stopping: left unacked, redelivered later
    }
  }

  private async ack(message: IncomingMessage): Promise<void> {
    try {
      await this.deps.transport.ack(message);
    } catch (error) {
      this.deps.logger.error(`Could not ack ${message.id}; the broker will redeliver it`, toError(error).stack);
    }
  }

  private async deadLetter(
    message: IncomingMessage,
    reason: DeadLetterReason,
    errorType: string,
    errorMessage: string,
    retryCount = 0,
    failedHandlers: string[] = [],
    event?: DomainEvent,
  ): Promise<void> {
    const { transport, config, stats, logger } = this.deps;
    const info: DeadLetterInfo = {
      reason,
      errorType,
      errorMessage,
      retryCount,
      failedHandlers,
      timestamp: new Date(),
      consumerGroup: transport.consumerGroup,
      consumerName: transport.consumerName,
    };
    if (!config.enableDlq) {
      logger.error(`Dropping ${message.id} (${reason}: ${errorMessage}): enableDlq is false`);
      return this.ack(message);
    }
    try {
      await transport.deadLetter(message, info);
    } catch (error) {
      logger.error(`Could not dead-letter ${message.id} (${reason}); it stays pending and will be redelivered`, toError(error).stack);
      return;
    }
    stats.messagesSentToDlq++;
    logger.warn(`Dead-lettered ${message.id} (${reason}: ${errorMessage})${failedHandlers.length ? ` failed handlers: ${failedHandlers.join(', ')}` : ''}`);
    const letter = {
      ...info,
      eventId: event?.eventId ?? message.headers.event_id ?? null,
      eventType: event?.eventType ?? message.headers.event_type ?? null,
      payload: String(message.body),
    };
    for (const listener of this.deps.deadLetterListeners) {
      try {
        listener(letter);
      } catch (error) {
        logger.error('An onDeadLetter listener threw', toError(error).stack);
      }
    }
  }
}
