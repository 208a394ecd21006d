import type { DomainEvent } from '../events/domain-event.js';

export interface AppendResult {
  /** Version of the aggregate after the append. */
  newVersion: number;
  /** Global position of the last event appended (or of the stream's last event on a no-op). */
  globalPosition: number;
}

export interface EventStream {
  aggregateId: string;
  aggregateType: string | undefined;
  events: DomainEvent[];
  /** Current version of the aggregate in the store (0 when it has no events). */
  version: number;
}

export interface StoredEvent {
  event: DomainEvent;
  streamId: string;
  streamPosition: number;
  globalPosition: number;
  storedAt: Date;
}

/** Append-only storage of events per aggregate, with optimistic concurrency. */
export interface EventStore {
  /**
   * Appends events if the aggregate is at `expectedVersion` (OptimisticLockError otherwise).
   * Appending events whose ids are all stored already is a no-op: a retried save is safe.
   */
  appendEvents(aggregateId: string, aggregateType: string, events: DomainEvent[], expectedVersion: number): Promise<AppendResult>;
  /** Events of one aggregate with aggregateVersion > fromVersion (exclusive), in order. */
  getEvents(aggregateId: string, aggregateType?: string, fromVersion?: number): Promise<EventStream>;
  /** Every event with globalPosition > fromPosition (exclusive), in global order. */
  readAll(fromPosition?: number): AsyncIterable<StoredEvent>;
  /**
   * True when the store writes an outbox in the append transaction and a relay publishes
   * from it: the repository then leaves publishing to the relay.
   */
  readonly publishesThroughOutbox?: boolean;
}

export const EVENT_STORE = 'eventsource:event-store';
