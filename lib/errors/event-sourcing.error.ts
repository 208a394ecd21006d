/** Base class of every error this library throws. */
export class EventSourcingError extends Error {
  /** Whether retrying the same operation later may succeed (kafkajs convention). */
  readonly retriable: boolean = false;

  constructor(message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.retriable !== undefined) this.retriable = options.retriable;
  }
}
