import type { DomainEvent } from '../../events/domain-event.js';
import { BusClosedError } from '../../errors/bus-closed.error.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, EventBus, type EventBusOptions } from '../event-bus.js';
import type { PublishOptions } from '../event-publisher.js';

/**
 * Single-process bus. Events are dispatched one after another in list order; the handlers of
 * one event run concurrently and all settle before the next event starts.
 */
export class InMemoryEventBus extends EventBus {
  private closed = false;

  constructor(options: EventBusOptions = {}) {
    super(undefined, options);
  }

  async publish(events: DomainEvent[], options?: PublishOptions): Promise<void> {
    if (this.closed) throw new BusClosedError('InMemoryEventBus');
    if (!Array.isArray(events)) throw new TypeError('publish() takes an array of events');
    if (events.length === 0) return;
    if (options?.background) {
      const batch = [...events];
      this.runInBackground(() => this.dispatchAll(batch), `publish of ${batch.length} event(s)`);
      return;
    }
    await this.dispatchAll(events);
  }

  async whenIdle(): Promise<void> {
    await this.backgroundIdle();
  }

  async shutdown(timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS): Promise<void> {
    this.closed = true;
    await this.drainBackground(timeoutMs);
  }

  private async dispatchAll(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      this.stats.eventsPublished++;
      const outcome = this.dispatcher.run(event, this.subscribers.handlersFor(event.eventType));
      if (!Array.isArray(outcome)) await outcome;
    }
  }
}
