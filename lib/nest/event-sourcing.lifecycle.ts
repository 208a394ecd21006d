import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EventBus } from '../bus/event-bus.js';
import { EVENT_STORE } from '../stores/event-store.interface.js';
import { InMemoryEventStore } from '../stores/in-memory.event-store.js';
import { toError } from '../utils/logger.util.js';
import type { ResolvedEventSourcingOptions } from './event-sourcing-options.interface.js';
import { createOutboxRelay, type ManagedEventStore, type OutboxRelayLike } from './event-store.factory.js';
import { EVENT_SOURCING_OPTIONS } from './tokens.js';

/** What broker buses add to the EventBus contract (checked by shape: they load lazily). */
interface ConsumingBus {
  startConsuming(): Promise<void>;
}

/**
 * Starts and stops what the module owns, in Nest's lifecycle order: consumers and the outbox
 * relay on application bootstrap (handlers are bound by then, in onModuleInit); the relay, then
 * the bus (drained) before shutdown; the store last.
 */
@Injectable()
export class EventSourcingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private relay?: OutboxRelayLike;
  private busClosed = false;
  private storeClosed = false;

  constructor(
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(EVENT_STORE) private readonly store: ManagedEventStore,
    @Inject(EVENT_SOURCING_OPTIONS)
    private readonly options: ResolvedEventSourcingOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { transport, logger } = this.options;
    if (transport.type !== 'memory' && this.store instanceof InMemoryEventStore) {
      logger.warn(
        `The ${transport.type} transport is used with the in-memory event store: stored events are lost on restart ` +
          "and not shared between instances. Configure eventStore (e.g. { type: 'postgres', ... }) for production.",
      );
    }
    if (this.shouldConsume()) await (this.bus as unknown as ConsumingBus).startConsuming();
    if (this.store.publishesThroughOutbox === true) {
      this.relay = await createOutboxRelay(this.store, this.bus, logger);
      await this.relay.start();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.busClosed) return;
    this.busClosed = true;
    try {
      await this.relay?.stop();
    } catch (error) {
      this.options.logger.error('Stopping the outbox relay failed', toError(error).stack);
    }
    await this.bus.shutdown(this.options.shutdownTimeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.storeClosed) return;
    this.storeClosed = true;
    if (typeof this.store.close === 'function') await this.store.close();
  }

  /** A bus with no bound handler does not consume unless `consume: true`; `consume: false` never does. */
  private shouldConsume(): boolean {
    const { transport } = this.options;
    if (typeof (this.bus as Partial<ConsumingBus>).startConsuming !== 'function') return false;
    if (transport.type === 'memory' || transport.consume === false) return false;
    return transport.consume === true || this.bus.getSubscriberCount() + this.bus.getWildcardSubscriberCount() > 0;
  }
}
