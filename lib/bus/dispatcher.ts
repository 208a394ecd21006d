import type { DomainEvent } from '../events/domain-event.js';
import { EventSourcingError } from '../errors/event-sourcing.error.js';
import { toError, type EventSourcingLogger } from '../utils/logger.util.js';
import type { EventBusStats } from './bus-stats.js';
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
  settled: boolean;
  promise: Promise<void>;
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

  run(event: DomainEvent, entries: readonly HandlerEntry[], attempt = 1, willRetry = false): readonly HandlerFailure[] | Promise<readonly HandlerFailure[]> {
    let running: RunningHandler[] | undefined;
    let failures: HandlerFailure[] | undefined;
    const fail = (entry: HandlerEntry, error: unknown) => {
      const failure = { entry, error: toError(error) };
      (failures ??= []).push(failure);
      this.report(event, failure, attempt, willRetry);
    };
    for (const entry of entries) {
      try {
        const result = entry.invoke(event) as Promise<unknown> | undefined;
        if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
          const handler: RunningHandler = { entry, settled: false, promise: undefined as never };
          handler.promise = Promise.resolve(result).then(
            () => {
              if (handler.settled) return;
              handler.settled = true;
              this.stats.handlersInvoked++;
            },
            (error: unknown) => {
              if (handler.settled) return;
              handler.settled = true;
              fail(entry, error);
            },
          );
          (running ??= []).push(handler);
        } else {
          this.stats.handlersInvoked++;
        }
      } catch (error) {
        fail(entry, error);
      }
    }
    if (!running) return failures ?? NO_FAILURES;
    const all = Promise.all(running.map((handler) => handler.promise));
    const done = this.handlerTimeoutMs > 0 ? this.withTimeout(all, running, fail) : all;
    return done.then(() => failures ?? NO_FAILURES);
  }

  /** One timer per event: handlers still running when it fires count as failed; late results are ignored. */
  private withTimeout(all: Promise<unknown>, running: RunningHandler[], fail: (entry: HandlerEntry, error: unknown) => void): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const handler of running) {
          if (handler.settled) continue;
          handler.settled = true;
          fail(handler.entry, new HandlerTimeoutError(handler.entry.name, this.handlerTimeoutMs));
        }
        resolve();
      }, this.handlerTimeoutMs);
    });
    return Promise.race([all, timeout]).finally(() => clearTimeout(timer));
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
