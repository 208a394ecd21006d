import type { BenchOrderPlaced } from '../harness/events.js';

/** What a consumer hands to the benchmark handler, whatever the client library. */
export interface ReceivedEvent {
  eventId: string;
  totalAmount: number;
  aggregateVersion: number;
}

/**
 * What the benchmarks use of one of our broker buses. The class is loaded by name (a suite
 * skips loudly when it does not exist), so it is typed by this shape.
 */
export interface OurBrokerBus {
  publish(events: BenchOrderPlaced[]): Promise<void>;
  subscribe(type: typeof BenchOrderPlaced, handler: (e: BenchOrderPlaced) => Promise<void> | void): void;
  startConsuming(): Promise<void>;
  stopConsuming(): Promise<void>;
  shutdown(timeoutMs?: number): Promise<void>;
}
export type OurBrokerBusClass = new (config: Record<string, unknown>) => OurBrokerBus;

export type ReceiveCallback = (event: ReceivedEvent) => void | Promise<void>;

/**
 * One contender bound to fresh broker resources (stream / exchange / topic with a random
 * suffix). `close` shuts the clients down and deletes the resources.
 */
export interface BrokerSession {
  /** Resolves when the broker durably accepted every event of the list. */
  publish(list: readonly BenchOrderPlaced[]): Promise<void>;
  /** Declares what must exist for a publish to be stored (a bound queue on RabbitMQ), untimed. */
  prepare?(): Promise<void>;
  /** Starts one consumer with concurrency 16; resolves once it runs. */
  startConsumer(onEvent: ReceiveCallback): Promise<void>;
  close(): Promise<void>;
}

export interface BrokerContender {
  name: string;
  /** How it publishes and consumes, for the report. */
  describe: string;
  /** For a competitor: the end-to-end ratio ours/it must reach (the benchmark's stated target). */
  endToEndTarget?: number;
  open(): Promise<BrokerSession>;
}

export const CONSUMER_CONCURRENCY = 16;
export const PUBLISH_LIST_SIZE = 100;

export function suffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs fn over items with at most `limit` promises in flight (the raw clients' "concurrency 16"). */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => void | Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Body fields as the raw clients see them after JSON.parse of the wire body. */
export function fromWireBody(body: Record<string, unknown>): ReceivedEvent {
  return { eventId: body.event_id as string, totalAmount: body.totalAmount as number, aggregateVersion: body.aggregate_version as number };
}
