import { EventSourcingError } from './event-sourcing.error.js';

/** Another writer appended to the aggregate first. Reload it and retry the command. */
export class OptimisticLockError extends EventSourcingError {
  constructor(
    readonly aggregateId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `Optimistic lock failed for aggregate ${aggregateId}: expected version ${expectedVersion}, ` +
        `but the store is at version ${actualVersion}. Reload the aggregate and retry.`,
      { retriable: true },
    );
  }
}
