import type { DomainEvent } from '../events/domain-event.js';
import { EventVersionError } from '../errors/event-version.error.js';
import { OptimisticLockError } from '../errors/optimistic-lock.error.js';
import type { AppendResult, EventStore, EventStream, StoredEvent } from './event-store.interface.js';

/** Keeps events in process memory. For tests, samples and single-process tools. */
export class InMemoryEventStore implements EventStore {
  // A stream is (aggregateType, aggregateId), the type being the one given to appendEvents, as in
  // the Postgres store; byAggregate serves reads that give no type.
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byAggregate = new Map<string, StoredEvent[]>();
  private readonly all: StoredEvent[] = [];
  private readonly storedIds = new Set<string>();

  async appendEvents(aggregateId: string, aggregateType: string, events: DomainEvent[], expectedVersion: number): Promise<AppendResult> {
    const streamId = `${aggregateType}-${aggregateId}`;
    const stream = this.streams.get(streamKey(aggregateType, aggregateId)) ?? [];
    const currentVersion = stream.length === 0 ? 0 : stream[stream.length - 1].event.aggregateVersion;
    const lastPosition = stream.length === 0 ? 0 : stream[stream.length - 1].globalPosition;
    if (events.length === 0 || events.every((e) => this.storedIds.has(e.eventId))) {
      return { newVersion: currentVersion, globalPosition: lastPosition };
    }
    if (currentVersion !== expectedVersion) throw new OptimisticLockError(aggregateId, expectedVersion, currentVersion);
    events.forEach((event, index) => {
      const expected = expectedVersion + index + 1;
      if (event.aggregateVersion !== expected) {
        throw new EventVersionError(aggregateId, expected, event.aggregateVersion, event.eventType);
      }
    });
    const storedAt = new Date();
    for (const event of events) {
      const stored: StoredEvent = {
        event,
        streamId,
        streamPosition: event.aggregateVersion,
        globalPosition: this.all.length + 1,
        storedAt,
      };
      stream.push(stored);
      this.all.push(stored);
      this.storedIds.add(event.eventId);
    }
    this.streams.set(streamKey(aggregateType, aggregateId), stream);
    this.byAggregate.set(aggregateId, [...(this.byAggregate.get(aggregateId) ?? []), ...stream.slice(-events.length)]);
    return { newVersion: events[events.length - 1].aggregateVersion, globalPosition: this.all.length };
  }

  async getEvents(aggregateId: string, aggregateType?: string, fromVersion = 0): Promise<EventStream> {
    const stored = aggregateType === undefined ? this.byAggregate.get(aggregateId) : this.streams.get(streamKey(aggregateType, aggregateId));
    const stream = (stored ?? []).map((entry) => entry.event);
    const version = stream.length ? stream[stream.length - 1].aggregateVersion : 0;
    return { aggregateId, aggregateType, events: stream.filter((e) => e.aggregateVersion > fromVersion), version };
  }

  async *readAll(fromPosition = 0): AsyncIterable<StoredEvent> {
    // Positions are 1-based and dense, so the array index of position p is p - 1.
    for (let index = Math.max(0, fromPosition); index < this.all.length; index++) yield this.all[index];
  }
}

function streamKey(aggregateType: string, aggregateId: string): string {
  return `${aggregateType}\u0000${aggregateId}`;
}
