import type { BenchOrderPlaced } from '../harness/events.js';
import { percentileOfSorted } from '../harness/stats.js';
import { PUBLISH_LIST_SIZE, type BrokerContender, type BrokerSession, type ReceivedEvent } from './session.js';

/** Same work as the in-process handlers; `seen` also proves every event arrived. */
class Receiver {
  readonly seen = new Set<string>();
  duplicates = 0;
  checksum = 0;
  private done?: () => void;

  constructor(private readonly expected: number) {}

  handle = async (event: ReceivedEvent): Promise<void> => {
    // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask yield, identical in every contender
    await undefined;
    this.checksum = (this.checksum + event.totalAmount * event.aggregateVersion) % 1_000_003;
    if (this.seen.has(event.eventId)) this.duplicates++;
    else this.seen.add(event.eventId);
    if (this.seen.size === this.expected) this.done?.();
  };

  all(timeoutMs: number): Promise<void> {
    if (this.seen.size >= this.expected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.seen.size}/${this.expected} events arrived within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function lists(events: readonly BenchOrderPlaced[], size = PUBLISH_LIST_SIZE): BenchOrderPlaced[][] {
  const out: BenchOrderPlaced[][] = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}

/** Publish every list, each awaited, with no consumer running. Returns events/s. */
export async function publishOnly(contender: BrokerContender, events: readonly BenchOrderPlaced[]): Promise<number> {
  const session = await contender.open();
  try {
    const batches = lists(events);
    await session.prepare?.();
    const start = performance.now();
    for (const list of batches) await session.publish(list);
    return events.length / ((performance.now() - start) / 1000);
  } finally {
    await session.close();
  }
}

/** Events used to prove the consumer is running (a Kafka group has joined) before any timer starts. */
const PRIMER_EVENTS = 10;

async function prime(session: BrokerSession, receiver: Receiver, primer: readonly BenchOrderPlaced[], timeoutMs: number): Promise<void> {
  await session.publish(primer);
  const deadline = Date.now() + timeoutMs;
  while (receiver.seen.size < primer.length) {
    if (Date.now() > deadline) throw new Error(`consumer did not start within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Consumer running (primed) first; timer from the first publish until the handler saw every event. */
export async function endToEnd(contender: BrokerContender, events: readonly BenchOrderPlaced[], timeoutMs: number): Promise<number> {
  const session = await contender.open();
  try {
    const receiver = new Receiver(events.length);
    await session.startConsumer(receiver.handle);
    await prime(session, receiver, events.slice(0, PRIMER_EVENTS), timeoutMs);
    const measured = events.slice(PRIMER_EVENTS);
    const start = performance.now();
    const arrived = receiver.all(timeoutMs);
    arrived.catch(() => undefined);
    for (const list of lists(measured)) await session.publish(list);
    await arrived;
    return measured.length / ((performance.now() - start) / 1000);
  } finally {
    await session.close();
  }
}

export interface LatencyResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  offered: number;
  achievedPerSec: number;
}

/**
 * Offers `ratePerSec` events at a fixed pace (a list every 10 ms, topped up to the schedule)
 * without waiting for earlier publishes, and measures publish call → handler start per event.
 */
export async function latencyAtFixedLoad(
  contender: BrokerContender,
  events: readonly BenchOrderPlaced[],
  ratePerSec: number,
  timeoutMs: number,
): Promise<LatencyResult> {
  const session = await contender.open();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  try {
    const receiver = new Receiver(events.length);
    await session.startConsumer((event) => {
      const t0 = sentAt.get(event.eventId);
      if (t0 !== undefined && !receiver.seen.has(event.eventId)) latencies.push(performance.now() - t0);
      return receiver.handle(event);
    });
    await prime(session, receiver, events.slice(0, PRIMER_EVENTS), timeoutMs);
    latencies.length = 0;
    const arrived = receiver.all(timeoutMs);
    arrived.catch(() => undefined);
    const pending: Promise<void>[] = [];
    const start = performance.now();
    let sent = PRIMER_EVENTS;
    while (sent < events.length) {
      const due = Math.min(events.length, PRIMER_EVENTS + Math.floor(((performance.now() - start) / 1000) * ratePerSec) + 1);
      if (due > sent) {
        const list = events.slice(sent, due);
        const now = performance.now();
        for (const event of list) sentAt.set(event.eventId, now);
        pending.push(session.publish(list));
        sent = due;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(pending);
    await arrived;
    const elapsed = (performance.now() - start) / 1000;
    const offered = events.length - PRIMER_EVENTS;
    const sorted = latencies.sort((a, b) => a - b);
    return {
      p50Ms: percentileOfSorted(sorted, 50),
      p99Ms: percentileOfSorted(sorted, 99),
      maxMs: sorted[sorted.length - 1],
      offered,
      achievedPerSec: offered / elapsed,
    };
  } finally {
    await session.close();
  }
}
