import type { DomainEvent } from '../events/domain-event.js';
import { EventSourcingError } from '../errors/event-sourcing.error.js';
import { toError, type EventSourcingLogger } from '../utils/logger.util.js';
import type { EventBusStats } from './bus-stats.js';
import { DeadlineQueue } from './deadline-queue.js';
import type { HandlerEntry } from './handler.js';

export interface HandlerErrorInfo {
  handler: string;
  /** 1 for the first delivery, 2 for the first retry, ... */
  attempt: number;
  willRetry: boolean;
}

export type HandlerErrorListener = (error: Error, event: DomainEvent, info: HandlerErrorInfo) => void;

export interface HandlerFailure {
  entry: HandlerEntry;
  error: Error;
}

/** A handler did not settle within handlerTimeoutMs; it counts as failed (and may be retried). */
export class HandlerTimeoutError extends EventSourcingError {
  constructor(
    readonly handler: string,
    readonly timeoutMs: number,
  ) {
    super(`Handler ${handler} did not settle within handlerTimeoutMs=${timeoutMs}`, { retriable: true });
  }
}

interface RunningHandler {
  entry: HandlerEntry;
  result: PromiseLike<unknown>;
  settled: boolean;
}

const NO_FAILURES: readonly HandlerFailure[] = Object.freeze([]);

/**
 * Runs the handlers of one event concurrently and isolates their errors: every handler runs,
 * each failure is counted, logged with event id, type and handler name, and reported to the
 * onError listeners. Returns the failures (the broker layer retries exactly those).
 * When every handler is synchronous nothing is awaited and the result is returned directly.
 */
export class Dispatcher {
  constructor(
    private readonly stats: EventBusStats,
    private readonly listeners: ReadonlySet<HandlerErrorListener>,
    private readonly logger: EventSourcingLogger,
    private readonly handlerTimeoutMs = 0,
  ) {}

  private deadlines?: DeadlineQueue;

  run(
    event: DomainEvent,
    entries: readonly HandlerEntry[],
    attempt = 1,
    willRetry = false,
  ): readonly HandlerFailure[] | Promise<readonly HandlerFailure[]> {
    let running: RunningHandler[] | undefined;
    let failures: HandlerFailure[] | undefined;
    const fail = (entry: HandlerEntry, error: unknown) => {
      const failure = { entry, error: toError(error) };
      (failures ??= []).push(failure);
      this.report(event, failure, attempt, willRetry);
    };
    for (const entry of entries) {
      try {
        const result = entry.invoke(event) as PromiseLike<unknown> | undefined;
        if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
          (running ??= []).push({ entry, result, settled: false });
        } else {
          this.stats.handlersInvoked++;
        }
      } catch (error) {
        fail(entry, error);
      }
    }
    if (!running) return failures ?? NO_FAILURES;
    return this.settle(running, fail, () => failures ?? NO_FAILURES);
  }

  /**
   * One promise for all running handlers of an event, resolved when the last one settled or at
   * handlerTimeoutMs, when those still running count as failed (their late results are ignored).
   */
  private settle(
    running: RunningHandler[],
    fail: (entry: HandlerEntry, error: unknown) => void,
    outcome: () => readonly HandlerFailure[],
  ): Promise<readonly HandlerFailure[]> {
    return new Promise((resolve) => {
      let open = running.length;
      const deadline =
        this.handlerTimeoutMs > 0
          ? (this.deadlines ??= new DeadlineQueue(this.handlerTimeoutMs)).add(() => {
              for (const handler of running) {
                if (handler.settled) continue;
                handler.settled = true;
                fail(handler.entry, new HandlerTimeoutError(handler.entry.name, this.handlerTimeoutMs));
              }
              resolve(outcome());
            })
          : undefined;
      const settled = (handler: RunningHandler, error?: unknown, failed = false) => {
        if (handler.settled) return;
        handler.settled = true;
        if (failed) fail(handler.entry, error);
        else this.stats.handlersInvoked++;
        if (--open > 0) return;
        deadline?.cancel();
        resolve(outcome());
      };
      for (const handler of running) {
        Promise.resolve(handler.result).then(
          () => settled(handler),
          (error: unknown) => settled(handler, error, true),
        );
      }
    });
  }

  private report(event: DomainEvent, failure: HandlerFailure, attempt: number, willRetry: boolean): void {
    this.stats.handlerErrors++;
    this.logger.error(
      `Handler ${failure.entry.name} failed for ${event.eventType} ${event.eventId} (attempt ${attempt}${willRetry ? ', will retry' : ''}): ${failure.error.message}`,
      failure.error.stack,
    );
    for (const listener of this.listeners) {
      try {
        listener(failure.error, event, { handler: failure.entry.name, attempt, willRetry });
      } catch (error) {
        this.logger.error(`An onError listener threw while reporting ${event.eventId}`, toError(error).stack);
      }
    }
  }
}
