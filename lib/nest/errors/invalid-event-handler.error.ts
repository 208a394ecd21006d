import { EventSourcingError } from '../../errors/event-sourcing.error.js';

/** A decorated handler cannot be bound. Thrown at bootstrap, naming the class and the method. */
export class InvalidEventHandlerError extends EventSourcingError {
  constructor(
    /** `Class.method`, or `Class` for class-level problems. */
    readonly handler: string,
    problem: string,
  ) {
    super(`Cannot bind event handler ${handler}: ${problem}`);
  }
}
