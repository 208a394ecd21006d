import { EventSourcingError } from './event-sourcing.error.js';

export class AggregateNotFoundError extends EventSourcingError {
  constructor(
    readonly aggregateId: string,
    readonly aggregateType: string,
  ) {
    super(`Aggregate ${aggregateType} ${aggregateId} not found: the store holds no events for it.`);
  }
}
