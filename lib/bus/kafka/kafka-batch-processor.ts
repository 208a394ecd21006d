import type { EachBatchPayload } from 'kafkajs';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import type { ConsumerSink, IncomingMessage } from '../broker/broker-transport.js';
import { PartitionBatch } from './kafka-partition-batch.js';
import { toIncomingMessage } from './kafka-wire.js';

/** What the batch processor needs from whoever owns the kafkajs consumer. */
export interface PartitionControl {
  /** Increments each time a new consumer instance starts (after a crash). */
  readonly runId: number;
  ownsPartition(topic: string, partition: number): boolean;
  commit(topic: string, partition: number, nextOffset: string): Promise<void>;
  resume(topic: string, partition: number): void;
}

/**
 * kafkajs's eachBatch, made safe for the shared core:
 *
 * - every message goes to `sink.deliver()`; the batch waits for them to settle while sending
 *   heartbeats (kafkajs only heartbeats between batches), then resolves the contiguous prefix of
 *   acked offsets, so offsets are committed only after success;
 * - it never throws for a handler failure (kafkajs would refetch the batch forever);
 * - when a message starts waiting for a retry (or the group rebalances, or the consumer stops),
 *   the batch stops waiting inline: its partition is paused and the call returns, because a
 *   kafkajs fetcher does not fetch again until every batch it handed out has returned. The
 *   partition is released (offsets resolved and committed, fetching resumed) once its messages
 *   have settled, so a retry holds back only its own partition.
 */
export class KafkaBatchProcessor {
  private readonly active = new Set<PartitionBatch>();
  private readonly held = new Map<string, PartitionBatch>();
  private readonly batchOf = new WeakMap<IncomingMessage, PartitionBatch>();
  private stopping = false;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly sink: ConsumerSink,
    private readonly control: PartitionControl,
    private readonly heartbeatTickMs: number,
    private readonly logger: EventSourcingLogger,
  ) {}

  async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (this.stopping) {
      // Leave the rest for whoever consumes next; pausing keeps the fetch loop from spinning.
      payload.pause();
      return;
    }
    const work = new PartitionBatch(
      batch.topic,
      batch.partition,
      this.control.runId,
      (offset) => payload.resolveOffset(offset),
      (offset) => {
        if (this.active.has(work)) payload.resolveOffset(offset);
      },
    );
    this.active.add(work);
    const stopBeating = this.beatWhileWaiting(payload, work);
    try {
      for (const message of batch.messages) {
        if (work.interrupted || !payload.isRunning() || payload.isStale()) break;
        if (!this.sink.hasRoom()) {
          await Promise.race([this.sink.ready(), work.whenInterrupted()]);
          if (work.interrupted) break;
        }
        const incoming = toIncomingMessage(batch.topic, batch.partition, message);
        this.batchOf.set(incoming, work);
        work.track(message.offset, (settled) => this.sink.deliver(incoming, settled));
      }
      await Promise.race([work.whenSettled(), work.whenInterrupted()]);
    } finally {
      stopBeating();
      this.active.delete(work);
    }
    if (work.allSettled) {
      this.resolvePrefix(work);
      this.notifyDrain();
      return;
    }
    this.hold(work, payload);
  }

  /** The batch of a delivered message, for ack/deadLetter/keepAlive. */
  batchFor(message: IncomingMessage): PartitionBatch | undefined {
    return this.batchOf.get(message);
  }

  /** A message of this batch waits for a retry: stop holding up the fetcher. */
  retryStarted(message: IncomingMessage): void {
    this.batchOf.get(message)?.interrupt();
  }

  /** Partitions whose messages are still being settled after their batch returned. */
  heldPartitions(): Array<{ topic: string; partition: number }> {
    return [...this.held.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  /** No new deliveries from now on; batches waiting inline return at once. */
  stop(): void {
    this.stopping = true;
    for (const work of this.active) work.interrupt();
  }

  restart(): void {
    this.stopping = false;
  }

  /** Resolves once every delivered message has settled and its partition was released (or on abort). */
  async drain(abort: Promise<void>): Promise<void> {
    const drained = new Promise<void>((resolve) => {
      this.drainWaiters.push(resolve);
      this.notifyDrain();
    });
    await Promise.race([drained, abort]);
  }

  get inFlightBatches(): number {
    return this.active.size + this.held.size;
  }

  private beatWhileWaiting(payload: EachBatchPayload, work: PartitionBatch): () => void {
    let beating = false;
    const timer = setInterval(() => {
      if (beating) return;
      beating = true;
      // heartbeat() only sends when heartbeatInterval has passed; commitOffsetsIfNecessary() keeps
      // a long batch's progress durable.
      payload
        .heartbeat()
        .then(() => payload.commitOffsetsIfNecessary())
        .catch((error: unknown) => {
          // A rebalance (or a lost connection): return so kafkajs can rejoin; the batch is held.
          this.logger.debug?.(`kafka: heartbeat during batch of ${work.key} failed: ${toError(error).message}`);
          work.interrupt();
        })
        .finally(() => (beating = false));
    }, this.heartbeatTickMs);
    return () => clearInterval(timer);
  }

  private resolvePrefix(work: PartitionBatch): void {
    const last = work.committableOffset();
    if (last !== undefined) work.resolveOffset(last);
  }

  private hold(work: PartitionBatch, payload: EachBatchPayload): void {
    payload.pause();
    this.held.set(work.key, work);
    void work.whenSettled().then(() => this.release(work));
  }

  private async release(work: PartitionBatch): Promise<void> {
    try {
      const last = work.committableOffset();
      // After a rebalance the partition may belong to another member now: touching its offsets
      // here would commit over that member's progress.
      if (last !== undefined && this.control.ownsPartition(work.topic, work.partition)) {
        if (work.runId === this.control.runId) work.resolveOffset(last);
        await this.control.commit(work.topic, work.partition, (BigInt(last) + 1n).toString());
      }
    } catch (error) {
      this.logger.warn(
        `kafka: could not commit ${work.key} after its held messages settled; they may be delivered again`,
        toError(error).message,
      );
    } finally {
      if (this.held.get(work.key) === work) this.held.delete(work.key);
      if (!this.stopping) this.control.resume(work.topic, work.partition);
      this.notifyDrain();
    }
  }

  private notifyDrain(): void {
    if (this.active.size > 0 || this.held.size > 0) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
