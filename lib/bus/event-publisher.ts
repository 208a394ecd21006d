import type { DomainEvent } from '../events/domain-event.js';

export interface PublishOptions {
  /** Return at once; the bus tracks the work and drains it on shutdown. */
  background?: boolean;
}

/** What a repository needs from a bus. */
export interface EventPublisher {
  publish(events: DomainEvent[], options?: PublishOptions): Promise<void>;
}
