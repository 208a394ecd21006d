import type { Consumer, ConsumerCrashEvent, ConsumerGroupJoinEvent, Kafka } from 'kafkajs';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import type { ConsumerSink } from '../broker/broker-transport.js';
import { KafkaBatchProcessor, type PartitionControl } from './kafka-batch-processor.js';
import type { ResolvedKafkaEventBusConfig } from './kafka-event-bus.config.js';

const RESTART_BASE_DELAY_MS = 500;
const RESTART_MAX_DELAY_MS = 30_000;
/** Long-poll wait of a fetch, and the nap kafkajs takes when every partition is paused. */
const FETCH_MAX_WAIT_MS = 500;

export interface ConsumerCounters {
  /** Group joins (the first one included): each is a rebalance of the group. */
  rebalances: number;
  /** Consumer restarts after a crash. */
  consumerRestarts: number;
}

/**
 * One member of the consumer group. kafkajs gives up on a consumer after some errors (and
 * restarts it without any cap on others); here every crash is followed by a fresh consumer after
 * an exponential backoff, forever, counted and logged, until stop() is called.
 */
export class KafkaGroupConsumer implements PartitionControl {
  runId = 0;
  readonly counters: ConsumerCounters = { rebalances: 0, consumerRestarts: 0 };
  readonly processor: KafkaBatchProcessor;
  lastCrash: string | undefined;
  private consumer: Consumer | undefined;
  private assignment = new Map<string, Set<number>>();
  private wanted = false;
  private crashesInARow = 0;
  private recoveringFlag = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private pendingSeeks: Array<{ partition: number; offset: string }> = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ResolvedKafkaEventBusConfig,
    private readonly sink: ConsumerSink,
    private readonly logger: EventSourcingLogger,
  ) {
    const tick = Math.max(100, Math.min(1_000, Math.floor(config.heartbeatIntervalMs / 2)));
    this.processor = new KafkaBatchProcessor(sink, this, tick, logger);
  }

  /** Joins the group and starts fetching; resolves once this member has its partitions. */
  async start(): Promise<void> {
    this.wanted = true;
    this.processor.restart();
    this.starting = this.run();
    await this.starting;
  }

  /**
   * Stops fetching at once; waits (until `abort`) for delivered messages to settle and commits
   * them, then leaves the group so its partitions move to the other members.
   */
  async stop(abort: Promise<void>): Promise<void> {
    this.wanted = false;
    clearTimeout(this.restartTimer);
    this.processor.stop();
    await this.starting?.catch(() => undefined);
    await this.processor.drain(abort);
    const consumer = this.consumer;
    this.consumer = undefined;
    this.assignment.clear();
    await consumer?.disconnect().catch((error: unknown) => this.logger.warn('kafka: consumer disconnect failed', toError(error).message));
  }

  /**
   * Positions to apply when this member next joins the group, before its first fetch: kafkajs
   * seeks commit the new offsets (replayFrom() uses this while the group has no other member).
   */
  seekOnNextJoin(partitions: Array<{ partition: number; offset: string }>): void {
    this.pendingSeeks = [...partitions];
  }

  get running(): boolean {
    return this.wanted;
  }

  /** Crashed and not yet back in the group. */
  get recovering(): boolean {
    return this.wanted && this.recoveringFlag;
  }

  assignedPartitions(): number[] {
    return [...(this.assignment.get(this.config.topic) ?? [])].sort((a, b) => a - b);
  }

  ownsPartition(topic: string, partition: number): boolean {
    return this.assignment.get(topic)?.has(partition) ?? false;
  }

  async commit(topic: string, partition: number, nextOffset: string): Promise<void> {
    if (!this.consumer) return;
    await this.consumer.commitOffsets([{ topic, partition, offset: nextOffset }]);
  }

  resume(topic: string, partition: number): void {
    try {
      this.consumer?.resume([{ topic, partitions: [partition] }]);
    } catch {
      // Not running (between a crash and its restart): the next consumer starts unpaused.
    }
  }

  private async run(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.config.consumerGroup,
      sessionTimeout: this.config.sessionTimeoutMs,
      heartbeatInterval: this.config.heartbeatIntervalMs,
      rebalanceTimeout: this.config.rebalanceTimeoutMs,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      // Never let kafkajs restart on its own: the crash listener below restarts with backoff.
      retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 5, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    this.runId++;
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onGroupJoin(consumer, event));
    consumer.on(consumer.events.CRASH, (event) => this.onCrash(consumer, event));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [this.config.topic], fromBeginning: this.config.autoOffsetReset === 'earliest' });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 5_000,
        autoCommitThreshold: null,
        // Offsets are resolved by the processor only once their messages are acked.
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: Math.max(1, Math.min(this.config.concurrency, 64)),
        eachBatch: (payload) => this.processor.eachBatch(payload),
      });
    } catch (error) {
      this.crashed(consumer, toError(error));
    }
  }

  private onGroupJoin(consumer: Consumer, event: ConsumerGroupJoinEvent): void {
    if (consumer !== this.consumer) return;
    this.counters.rebalances++;
    const assigned = new Map<string, Set<number>>();
    for (const [topic, partitions] of Object.entries(event.payload.memberAssignment)) assigned.set(topic, new Set(partitions));
    this.assignment = assigned;
    // A new consumer instance must not fetch partitions whose messages are still being settled.
    const held = this.processor.heldPartitions().filter(({ topic, partition }) => this.ownsPartition(topic, partition));
    if (held.length > 0) {
      for (const { topic, partition } of held) consumer.pause([{ topic, partitions: [partition] }]);
    }
    this.applyPendingSeeks(consumer);
    this.crashesInARow = 0;
    if (this.recoveringFlag) {
      this.recoveringFlag = false;
      this.sink.reconnected(`kafka consumer rejoined group '${this.config.consumerGroup}' after a crash`);
    }
  }

  private applyPendingSeeks(consumer: Consumer): void {
    if (this.pendingSeeks.length === 0) return;
    const seeks = this.pendingSeeks;
    this.pendingSeeks = [];
    const topic = this.config.topic;
    const missed = seeks.filter(({ partition }) => !this.ownsPartition(topic, partition));
    for (const { partition, offset } of seeks) if (this.ownsPartition(topic, partition)) consumer.seek({ topic, partition, offset });
    if (missed.length > 0) {
      this.logger.warn(
        `kafka: replay could not move partition(s) ${missed.map((s) => s.partition).join(', ')} of ${topic}: another member of the group holds them`,
      );
    }
  }

  private onCrash(consumer: Consumer, event: ConsumerCrashEvent): void {
    if (consumer !== this.consumer) return;
    this.crashed(consumer, event.payload.error);
  }

  private crashed(consumer: Consumer, error: Error): void {
    if (consumer !== this.consumer || !this.wanted) return;
    this.consumer = undefined;
    this.assignment.clear();
    this.recoveringFlag = true;
    this.crashesInARow++;
    this.lastCrash = `${error.name}: ${error.message}`;
    const base = Math.min(RESTART_MAX_DELAY_MS, RESTART_BASE_DELAY_MS * 2 ** Math.min(this.crashesInARow - 1, 16));
    const delay = Math.round(base * (0.9 + Math.random() * 0.2));
    this.logger.error(
      `kafka: consumer of group '${this.config.consumerGroup}' crashed (${this.lastCrash}); restarting in ${delay} ms (restart #${this.counters.consumerRestarts + 1})`,
    );
    void consumer.disconnect().catch(() => undefined);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.wanted) return;
      this.counters.consumerRestarts++;
      this.starting = this.run();
    }, delay);
  }
}
