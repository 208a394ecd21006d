import type { DomainEvent } from '../events/domain-event.js';
import { EventVersionError } from '../errors/event-version.error.js';

/**
 * Consistency boundary rebuilt from its events. Subclasses implement `getInitialState()` and
 * `evolve(event)` (a pure state transition) and record new facts with `applyEvent(event)`.
 *
 * There is deliberately no `apply` member: in @nestjs/cqrs `apply` records an event, and a
 * method of that name here would let ported code silently record nothing.
 */
export abstract class AggregateRoot<TState = unknown> {
  readonly aggregateId: string;
  private currentVersion = 0;
  private pending: DomainEvent[] = [];
  private currentState: TState | undefined;
  private stateReady = false;

  constructor(aggregateId: string) {
    this.aggregateId = aggregateId;
  }

  protected abstract getInitialState(): TState;
  /** Applies one event to `this.state` (assign it or mutate it). No side effects. */
  protected abstract evolve(event: DomainEvent): void;

  /** Current state; starts as getInitialState() (created lazily, after subclass fields exist). */
  get state(): TState {
    if (!this.stateReady) {
      this.currentState = this.getInitialState();
      this.stateReady = true;
    }
    return this.currentState as TState;
  }

  /** For use inside evolve(): replaces the state. */
  set state(next: TState) {
    this.currentState = next;
    this.stateReady = true;
  }

  /** Version of the last applied event (0 for a new aggregate). */
  get version(): number {
    return this.currentVersion;
  }

  get uncommittedEvents(): DomainEvent[] {
    return [...this.pending];
  }

  get hasUncommittedEvents(): boolean {
    return this.pending.length > 0;
  }

  getNextVersion(): number {
    return this.currentVersion + 1;
  }

  /** Records a new event and evolves the state. Its aggregateVersion must be version + 1. */
  applyEvent(event: DomainEvent): void {
    this.applyChecked(event);
    this.pending.push(event);
  }

  /** Rebuilds state from stored events (nothing is recorded as uncommitted). */
  loadFromHistory(events: Iterable<DomainEvent>): void {
    for (const event of events) this.applyChecked(event);
  }

  /** Called by the repository once the store accepted the uncommitted events. */
  markEventsAsCommitted(): void {
    this.pending = [];
  }

  private applyChecked(event: DomainEvent): void {
    const expected = this.currentVersion + 1;
    if (event.aggregateVersion !== expected) {
      throw new EventVersionError(this.aggregateId, expected, event.aggregateVersion, event.eventType);
    }
    this.evolve(event);
    this.currentVersion = event.aggregateVersion;
  }
}
