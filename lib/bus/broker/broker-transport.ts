import type { DomainEvent } from '../../events/domain-event.js';

/**
 * The only part of a broker bus that differs per broker: moving bytes. The shared
 * BrokerEventBus (broker.event-bus.ts) owns encoding, decoding, dispatch, per-aggregate
 * ordering, retries, dead-letter decisions, stats and lifecycle; a transport connects, sends,
 * receives, acks and dead-letters, and nothing else.
 */

/** An event on its way out: encoded once by the shared codec. */
export interface OutgoingMessage {
  readonly event: DomainEvent;
  /** JSON wire body (design §5). */
  readonly body: string;
}

/** A message fetched from the broker, in the shape the shared core understands. */
export interface IncomingMessage {
  /** Opaque, unique per delivery source: Redis entry id, Kafka `partition:offset`, RabbitMQ delivery tag. */
  readonly id: string;
  /** Raw body; decoded by the core (invalid JSON is dead-lettered there, not here). */
  readonly body: string | Buffer;
  /** Broker-level fields/headers as strings (`event_type`, `aggregate_id`, ...), when present. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Messages with the same key are handed to handlers in order (the aggregate id). */
  readonly orderingKey?: string;
  /** Size of the body in bytes (checked against maxPayloadBytes). */
  readonly sizeBytes: number;
  /** Retries already made before this delivery, as far as the broker can tell (0 when unknown). */
  readonly previousAttempts?: number;
  /** True when the broker says this is a redelivery (after a crash, reclaim or restart). */
  readonly redelivered?: boolean;
  /** Transport-private data (delivery tag, partition, offset, raw fields). */
  readonly raw?: unknown;
}

export type DeadLetterReason = 'max_retries_exceeded' | 'deserialization_error' | 'unknown_event_type';

export interface DeadLetterInfo {
  reason: DeadLetterReason;
  errorType: string;
  errorMessage: string;
  retryCount: number;
  failedHandlers: string[];
  timestamp: Date;
  /** Who dead-lettered it: consumer group and consumer name. */
  consumerGroup: string;
  consumerName: string;
}

/** A dead letter as the DLQ tools return it. `id` is what replayDlqMessage() takes. */
export interface DlqMessage {
  id: string;
  eventId: string | null;
  eventType: string | null;
  reason: string;
  errorType: string | null;
  errorMessage: string | null;
  retryCount: number;
  failedHandlers: string[];
  timestamp: Date | null;
  /** The original wire body (string). */
  payload: string;
}

export interface HealthReport {
  healthy: boolean;
  status: 'healthy' | 'degraded' | 'unhealthy';
  details: Record<string, unknown>;
}

/** What the transport calls while consuming. Implemented by BrokerEventBus. */
export interface ConsumerSink {
  /**
   * Takes one fetched message. `settled` is called once the core is done with it: acked after
   * success, dead-lettered and acked, or given up unacked (stopping during a retry wait). A
   * transport that must not fetch more until a batch is settled (Kafka) counts these calls;
   * others (Redis, RabbitMQ) need not pass one. A callback, not a promise: this runs per message.
   */
  deliver(message: IncomingMessage, settled?: () => void): void;
  /** Resolves when the core can take another message (its buffer is not full). */
  ready(): Promise<void>;
  /** True when ready() would resolve at once: lets a transport skip a promise per message. */
  hasRoom(): boolean;
  /** Same as TransportContext.reconnected (kept for transports that report from the consumer). */
  reconnected(detail: string): void;
}

export interface BrokerTransport {
  /** 'redis' | 'rabbitmq' | 'kafka', for logs and errors. */
  readonly kind: string;
  /** Consumer group and consumer name (used for dead-letter origin and health). */
  readonly consumerGroup: string;
  readonly consumerName: string;

  connect(): Promise<void>;
  /** Closes every connection. Idempotent. */
  disconnect(): Promise<void>;
  isConnected(): boolean;

  /**
   * Sends the messages in as few round trips as the broker allows (one pipeline, one
   * confirm window, one produce request) and resolves once the broker durably accepted all
   * of them. Rejects with PublishRejectedError (some were refused) or a connection error;
   * the core applies publishTimeoutMs around it.
   */
  publish(messages: OutgoingMessage[]): Promise<void>;

  /** Declares what consuming needs (group, queue, bindings) and starts fetching. Resolves once running. */
  startConsuming(sink: ConsumerSink): Promise<void>;
  /** Stops fetching. Messages already delivered are still settled by the core via ack/deadLetter. */
  stopConsuming(): Promise<void>;

  ack(message: IncomingMessage): Promise<void>;
  /** Writes the message to the dead-letter destination with `info`, then acks the original. */
  deadLetter(message: IncomingMessage, info: DeadLetterInfo): Promise<void>;
  /** Optional: keeps a held message owned while its retry timer runs (Redis refreshes idle time). */
  keepAlive?(message: IncomingMessage): Promise<void>;
  /** Optional: a new event type got its first local handler (RabbitMQ binds the queue for it). */
  eventTypeSubscribed?(eventType: string, aggregateType?: string): Promise<void>;
  /** Optional: a wildcard handler exists, so every event type must reach this group. */
  allEventsSubscribed?(): Promise<void>;

  getDlqMessages(limit: number): Promise<DlqMessage[]>;
  /** One dead letter by id (undefined when absent), for replayDlqMessage(). */
  readDlqMessage(id: string): Promise<DlqMessage | undefined>;
  getDlqMessageCount(): Promise<number>;
  /** Removes one dead letter after a successful replay (Kafka records it as replayed instead). */
  removeDlqMessage(id: string): Promise<boolean>;
  purgeDlq(): Promise<number>;
  healthCheck(): Promise<HealthReport>;
}
