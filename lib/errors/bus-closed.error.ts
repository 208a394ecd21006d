import { EventSourcingError } from './event-sourcing.error.js';

export class BusClosedError extends EventSourcingError {
  constructor(busName: string) {
    super(`${busName} has been shut down; it no longer publishes events.`, { retriable: false });
  }
}
