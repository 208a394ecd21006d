import type { EventPublisher } from '../bus/event-publisher.js';
import type { EventStore } from '../stores/event-store.interface.js';
import { validateEvent } from '../events/event-validator.js';
import { AggregateNotFoundError } from '../errors/aggregate-not-found.error.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import { EventPublishError } from '../errors/event-publish.error.js';
import type { AggregateRoot } from './aggregate-root.js';

export type AggregateFactory<A extends AggregateRoot<any>> = (new (aggregateId: string) => A) & { aggregateType?: string };

export interface AggregateRepositoryOptions<A extends AggregateRoot<any>> {
  eventStore: EventStore;
  aggregateFactory: AggregateFactory<A>;
  /** Defaults to the factory's static aggregateType. */
  aggregateType?: string;
  /** Usually the event bus; events are published after a successful append. */
  eventPublisher?: EventPublisher;
  /** Hand events to the bus in the background instead of awaiting their handlers. */
  publishInBackground?: boolean;
}

/** Loads aggregates from their events and saves new events, then publishes them. */
export class AggregateRepository<A extends AggregateRoot<any>> {
  readonly aggregateType: string;
  private readonly store: EventStore;
  private readonly factory: AggregateFactory<A>;
  private readonly publisher?: EventPublisher;
  private readonly background: boolean;

  constructor(options: AggregateRepositoryOptions<A>) {
    if (!options?.eventStore) throw new ConfigurationError('eventStore', options?.eventStore, 'an EventStore');
    if (typeof options.aggregateFactory !== 'function') {
      throw new ConfigurationError('aggregateFactory', options.aggregateFactory, 'an AggregateRoot subclass');
    }
    const aggregateType = options.aggregateType ?? options.aggregateFactory.aggregateType;
    if (typeof aggregateType !== 'string' || aggregateType.length === 0) {
      throw new ConfigurationError(
        'aggregateType',
        aggregateType,
        `a non-empty string (pass aggregateType or declare static aggregateType on ${options.aggregateFactory.name})`,
      );
    }
    this.aggregateType = aggregateType;
    this.store = options.eventStore;
    this.factory = options.aggregateFactory;
    this.publisher = options.eventPublisher;
    this.background = options.publishInBackground ?? false;
  }

  createNew(aggregateId: string): A {
    return new this.factory(aggregateId);
  }

  /** Rebuilds the aggregate from its events; AggregateNotFoundError when it has none. */
  async load(aggregateId: string): Promise<A> {
    const stream = await this.store.getEvents(aggregateId, this.aggregateType);
    if (stream.events.length === 0) throw new AggregateNotFoundError(aggregateId, this.aggregateType);
    const aggregate = this.createNew(aggregateId);
    aggregate.loadFromHistory(stream.events);
    return aggregate;
  }

  async loadOrCreate(aggregateId: string): Promise<A> {
    const stream = await this.store.getEvents(aggregateId, this.aggregateType);
    const aggregate = this.createNew(aggregateId);
    aggregate.loadFromHistory(stream.events);
    return aggregate;
  }

  async exists(aggregateId: string): Promise<boolean> {
    return (await this.store.getEvents(aggregateId, this.aggregateType)).version > 0;
  }

  /**
   * Validates the uncommitted events, appends them with the expected version, marks them
   * committed, then publishes them. Save and publish are not atomic: when publishing fails
   * after the append, this rejects with EventPublishError (persisted: true).
   */
  async save(aggregate: A): Promise<void> {
    const events = aggregate.uncommittedEvents;
    if (events.length === 0) return;
    for (const event of events) validateEvent(event, `saving ${this.aggregateType} ${aggregate.aggregateId}`);
    const expectedVersion = aggregate.version - events.length;
    await this.store.appendEvents(aggregate.aggregateId, this.aggregateType, events, expectedVersion);
    aggregate.markEventsAsCommitted();
    if (!this.publisher || this.store.publishesThroughOutbox) return;
    try {
      await this.publisher.publish(events, this.background ? { background: true } : undefined);
    } catch (error) {
      throw new EventPublishError(
        events.map((e) => e.eventId),
        error,
      );
    }
  }
}
