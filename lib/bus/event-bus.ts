import type { DomainEvent } from '../events/domain-event.js';
import type { EventClassRef } from '../events/event-metadata.js';
import { stderrLogger, toError, type EventSourcingLogger } from '../utils/logger.util.js';
import { emptyStats, type EventBusStats } from './bus-stats.js';
import { Dispatcher, type HandlerErrorListener } from './dispatcher.js';
import type { EventPublisher, PublishOptions } from './event-publisher.js';
import type { EventHandler, EventSubscriber } from './handler.js';
import { SubscriberRegistry } from './subscriber-registry.js';

export interface EventBusOptions {
  logger?: EventSourcingLogger;
}

/**
 * The contract every bus implements: in-memory and broker buses alike. Subscriptions,
 * dispatch, error reporting, stats and background tracking live here once; subclasses only
 * decide how a published event reaches the dispatcher.
 */
export abstract class EventBus<TStats extends EventBusStats = EventBusStats> implements EventPublisher {
  protected readonly subscribers = new SubscriberRegistry();
  protected readonly errorListeners = new Set<HandlerErrorListener>();
  protected readonly logger: EventSourcingLogger;
  protected readonly stats: TStats;
  protected readonly dispatcher: Dispatcher;
  private readonly backgroundTasks = new Set<Promise<void>>();

  protected constructor(stats: TStats = emptyStats() as TStats, options: EventBusOptions & { handlerTimeoutMs?: number } = {}) {
    this.logger = options.logger ?? stderrLogger;
    this.stats = stats;
    this.dispatcher = new Dispatcher(this.stats, this.errorListeners, this.logger, options.handlerTimeoutMs ?? 0);
  }

  abstract publish(events: DomainEvent[], options?: PublishOptions): Promise<void>;
  /** Resolves when no background work and no in-flight message is left. */
  abstract whenIdle(): Promise<void>;
  /** Stops accepting publishes, waits up to timeoutMs for outstanding work, then releases resources. */
  abstract shutdown(timeoutMs?: number): Promise<void>;

  subscribe<E extends DomainEvent>(eventType: EventClassRef<E>, handler: EventHandler<E>): void {
    this.subscribers.subscribe(eventType as EventClassRef, handler);
  }

  unsubscribe<E extends DomainEvent>(eventType: EventClassRef<E>, handler: EventHandler<E>): boolean {
    return this.subscribers.unsubscribe(eventType as EventClassRef, handler);
  }

  /** Subscribes a projection to every type its subscribedTo() declares. */
  subscribeAll(subscriber: EventSubscriber<any>): void {
    if (!subscriber || typeof subscriber.subscribedTo !== 'function') {
      throw new TypeError('subscribeAll() needs an object with subscribedTo() returning event classes and a handle() method');
    }
    const types = subscriber.subscribedTo();
    if (!Array.isArray(types)) throw new TypeError(`${subscriber.constructor?.name ?? 'subscriber'}.subscribedTo() must return an array of event classes`);
    for (const type of types) this.subscribers.subscribe(type, subscriber);
  }

  subscribeToAllEvents(handler: EventHandler): void {
    this.subscribers.subscribeWildcard(handler);
  }

  unsubscribeFromAllEvents(handler: EventHandler): boolean {
    return this.subscribers.unsubscribeWildcard(handler);
  }

  clearSubscribers(): void {
    this.subscribers.clear();
  }

  /** Handlers subscribed to one type (or to all types together). Never counts wildcard handlers. */
  getSubscriberCount(eventType?: EventClassRef): number {
    return this.subscribers.count(eventType);
  }

  getWildcardSubscriberCount(): number {
    return this.subscribers.wildcardCount();
  }

  getBackgroundTaskCount(): number {
    return this.backgroundTasks.size;
  }

  getStats(): TStats {
    return { ...this.stats };
  }

  /** Called once per failed handler attempt. Returns a function that removes the listener. */
  onError(listener: HandlerErrorListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('onError() needs a function');
    this.errorListeners.add(listener);
    return () => void this.errorListeners.delete(listener);
  }

  /** Tracks work started by publish({ background: true }); its failure is logged, never lost silently. */
  protected runInBackground(work: () => Promise<void>, description: string): void {
    this.stats.backgroundTasksCreated++;
    const task: Promise<void> = Promise.resolve()
      .then(work)
      .catch((error: unknown) => this.logger.error(`Background ${description} failed`, toError(error).stack))
      .finally(() => {
        this.backgroundTasks.delete(task);
        this.stats.backgroundTasksCompleted++;
      });
    this.backgroundTasks.add(task);
  }

  protected async backgroundIdle(): Promise<void> {
    while (this.backgroundTasks.size > 0) await Promise.allSettled([...this.backgroundTasks]);
  }

  /** Waits for background work up to timeoutMs; returns how many tasks were abandoned. */
  protected async drainBackground(timeoutMs: number): Promise<number> {
    if (this.backgroundTasks.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs))));
    await Promise.race([this.backgroundIdle(), timedOut]);
    clearTimeout(timer);
    const abandoned = this.backgroundTasks.size;
    if (abandoned > 0) {
      this.logger.warn(`Shutdown timeout of ${timeoutMs} ms reached: abandoning ${abandoned} background task(s) still running`);
    }
    return abandoned;
  }
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
