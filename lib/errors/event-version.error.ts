import { EventSourcingError } from './event-sourcing.error.js';

export class EventVersionError extends EventSourcingError {
  constructor(
    readonly aggregateId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
    eventType: string,
  ) {
    super(
      `Event ${eventType} for aggregate ${aggregateId} has aggregateVersion ${actualVersion}, ` +
        `expected ${expectedVersion}. Build events with aggregateVersion: this.getNextVersion().`,
    );
  }
}
