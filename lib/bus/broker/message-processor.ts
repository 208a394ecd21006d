import type { DomainEvent } from '../../events/domain-event.js';
import type { EventCodec } from '../../events/event-codec.js';
import { EventTypeNotFoundError } from '../../errors/event-type-not-found.error.js';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import type { BrokerEventBusStats } from '../bus-stats.js';
import type { Dispatcher, HandlerFailure } from '../dispatcher.js';
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
  /** Epoch ms of the last consumed message (0: none yet); getStats() turns it into a Date. */
  lastConsumeMs = 0;

  constructor(private readonly deps: ProcessorDeps) {}

  /**
   * Handles one message and settles it: `settled` is called once the broker has its ack or
   * dead letter (or the message is given up unacked while stopping). The returned promise
   * resolves when the handlers are done, which frees the concurrency slot; the ack travels on
   * its own. Stays synchronous up to the handlers: per message, this is the hot path.
   */
  process(message: IncomingMessage, slot: TaskSlot, settled: () => void): void | Promise<void> {
    const { stats, config } = this.deps;
    stats.eventsConsumed++;
    this.lastConsumeMs = Date.now();
    // Redelivered after a crash, reclaim or restart: the broker had it pending for someone.
    if (message.redelivered) stats.messagesRecovered++;
    if (message.sizeBytes > config.maxPayloadBytes) {
      const detail = `Message of ${message.sizeBytes} bytes exceeds maxPayloadBytes=${config.maxPayloadBytes}`;
      return this.deadLetter(message, 'deserialization_error', 'PayloadTooLargeError', detail).then(settled);
    }
    let event: DomainEvent;
    try {
      event = this.deps.codec.decode(message.body, `message ${message.id}`);
    } catch (error) {
      return this.undecodable(message, error, slot, settled);
    }
    return this.dispatch(message, event, slot, settled);
  }

  private dispatch(message: IncomingMessage, event: DomainEvent, slot: TaskSlot, settled: () => void): void | Promise<void> {
    const { dispatcher, retry, stats } = this.deps;
    const handlers = this.deps.subscribers.handlersFor(event.eventType);
    if (handlers.length === 0) {
      stats.eventsSkipped++;
      return this.ackThen(message, settled);
    }
    const attempt = (message.previousAttempts ?? 0) + 1;
    if (attempt > 1 && !retry.willRetry(attempt - 1)) {
      // Delivered more often than the retry budget allows (e.g. it crashed the consumer each
      // time): dead-letter without running it again.
      stats.eventsProcessedFailed++;
      const detail = `Delivered ${attempt - 1} time(s) before without being acknowledged`;
      return this.deadLetter(message, 'max_retries_exceeded', 'RedeliveryLimitExceeded', detail, attempt - 1, [], event).then(settled);
    }
    const outcome = dispatcher.run(event, handlers, attempt, retry.willRetry(attempt));
    if (Array.isArray(outcome)) return this.afterFirstAttempt(message, event, slot, attempt, outcome as readonly HandlerFailure[], settled);
    return (outcome as Promise<readonly HandlerFailure[]>).then((failures) =>
      this.afterFirstAttempt(message, event, slot, attempt, failures, settled),
    );
  }

  private afterFirstAttempt(
    message: IncomingMessage,
    event: DomainEvent,
    slot: TaskSlot,
    attempt: number,
    failures: readonly HandlerFailure[],
    settled: () => void,
  ): void | Promise<void> {
    if (failures.length === 0) {
      this.deps.stats.eventsProcessedSuccess++;
      return this.ackThen(message, settled);
    }
    return this.retryFailed(message, event, slot, attempt, failures).then(settled);
  }

  /**
   * Runs only the failed handlers again after each backoff, until they pass or the budget is
   * spent; resolves once the message is acked, dead-lettered, or given up while stopping.
   */
  private async retryFailed(
    message: IncomingMessage,
    event: DomainEvent,
    slot: TaskSlot,
    attempt: number,
    failures: readonly HandlerFailure[],
  ): Promise<void> {
    const { dispatcher, retry, stats, transport } = this.deps;
    for (;;) {
      if (!retry.willRetry(attempt)) {
        stats.eventsProcessedFailed++;
        const last = failures[failures.length - 1].error;
        return this.deadLetter(
          message,
          'max_retries_exceeded',
          last.name,
          last.message,
          attempt - 1,
          failures.map((f) => f.entry.name),
          event,
        );
      }
      stats.messagesRetried++;
      const pending = failures.map((failure) => failure.entry);
      await transport
        .keepAlive?.(message)
        .catch((error: unknown) =>
          this.deps.logger.warn(`Could not refresh ${message.id} while it waits for a retry`, toError(error).message),
        );
      // The wait gives up the concurrency slot but keeps the aggregate's place in line.
      if (!(await slot.pause(retry.delayAfter(attempt)))) return; // stopping: left unacked, redelivered later
      attempt++;
      failures = await dispatcher.run(event, pending, attempt, retry.willRetry(attempt));
      if (failures.length === 0) {
        stats.eventsProcessedSuccess++;
        return this.ack(message);
      }
    }
  }

  /** Dead-letters (or skips) a message that did not decode into an event; a wildcard still gets an unknown type. */
  private undecodable(message: IncomingMessage, error: unknown, slot: TaskSlot, settled: () => void): void | Promise<void> {
    const { codec, subscribers, config, stats } = this.deps;
    if (!(error instanceof EventTypeNotFoundError)) {
      const cause = toError(error);
      return this.deadLetter(message, 'deserialization_error', cause.name, cause.message).then(settled);
    }
    if (subscribers.wildcardCount() > 0) {
      let event: DomainEvent;
      try {
        event = codec.decodeOrUnknown(message.body, `message ${message.id}`);
      } catch (inner) {
        const cause = toError(inner);
        return this.deadLetter(message, 'deserialization_error', cause.name, cause.message).then(settled);
      }
      return this.dispatch(message, event, slot, settled);
    }
    if (config.onUnknownEventType === 'skip') {
      stats.eventsSkipped++;
      return this.ackThen(message, settled);
    }
    return this.deadLetter(message, 'unknown_event_type', error.name, error.message).then(settled);
  }

  /** Acks without waiting for the broker's reply: the slot is free now, `settled` follows the reply. */
  private ackThen(message: IncomingMessage, settled: () => void): void {
    try {
      this.deps.transport.ack(message).then(settled, (error: unknown) => {
        this.ackFailed(message, error);
        settled();
      });
    } catch (error) {
      this.ackFailed(message, error);
      settled();
    }
  }

  /** Acks and resolves once the broker replied (or the failure was logged): for the slower paths. */
  private ack(message: IncomingMessage): Promise<void> {
    return new Promise((resolve) => this.ackThen(message, resolve));
  }

  private ackFailed(message: IncomingMessage, error: unknown): void {
    this.deps.logger.error(`Could not ack ${message.id}; the broker will redeliver it`, toError(error).stack);
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
    logger.warn(
      `Dead-lettered ${message.id} (${reason}: ${errorMessage})${failedHandlers.length ? ` failed handlers: ${failedHandlers.join(', ')}` : ''}`,
    );
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
