interface TrackedOffset {
  offset: string;
  /** Acked or dead-lettered: safe to commit. */
  done: boolean;
  /** The core is finished with it (done, or given up without an ack: to be fetched again). */
  settled: boolean;
}

/**
 * The delivery state of one fetched batch of one partition. Kafka commits positions, not
 * messages, so only the contiguous prefix of done offsets may be committed; the first message
 * that settled without an ack (its dead letter could not be written, or a shutdown cut its
 * retry short) is where the partition resumes.
 */
export class PartitionBatch {
  readonly key: string;
  private readonly tracked: TrackedOffset[] = [];
  private readonly byOffset = new Map<string, TrackedOffset>();
  private prefix = 0;
  private unsettled = 0;
  private settledWaiters: Array<() => void> = [];
  private interruptedFlag = false;
  private interruptWaiters: Array<() => void> = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Which consumer instance fetched it (a restart after a crash creates a new one). */
    readonly runId: number,
    /** kafkajs's resolveOffset of the eachBatch call that fetched it (moves the fetch position). */
    readonly resolveOffset: (offset: string) => void,
    private readonly onPrefixAdvanced?: (offset: string) => void,
  ) {
    this.key = partitionKey(topic, partition);
  }

  /**
   * Registers the offset, then hands the message over: the core may ack it synchronously inside
   * `deliver` (a skipped type), and that ack must find the offset already tracked.
   */
  track(offset: string, deliver: (settled: () => void) => void): void {
    const entry: TrackedOffset = { offset, done: false, settled: false };
    this.tracked.push(entry);
    this.byOffset.set(offset, entry);
    this.unsettled++;
    deliver(() => this.settle(entry));
  }

  markDone(offset: string): void {
    const entry = this.byOffset.get(offset);
    if (entry) entry.done = true;
  }

  get size(): number {
    return this.tracked.length;
  }

  get allSettled(): boolean {
    return this.unsettled === 0;
  }

  whenSettled(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Last offset of the contiguous run of done messages from the start, if any. */
  committableOffset(): string | undefined {
    return this.prefix === 0 ? undefined : this.tracked[this.prefix - 1].offset;
  }

  /** Stops waiting inline: a retry started, the group rebalances, or the consumer stops. */
  interrupt(): void {
    if (this.interruptedFlag) return;
    this.interruptedFlag = true;
    for (const resolve of this.interruptWaiters.splice(0)) resolve();
  }

  get interrupted(): boolean {
    return this.interruptedFlag;
  }

  whenInterrupted(): Promise<void> {
    if (this.interruptedFlag) return Promise.resolve();
    return new Promise((resolve) => this.interruptWaiters.push(resolve));
  }

  private settle(entry: TrackedOffset): void {
    entry.settled = true;
    this.unsettled--;
    const before = this.prefix;
    while (this.prefix < this.tracked.length && this.tracked[this.prefix].done && this.tracked[this.prefix].settled) this.prefix++;
    if (this.prefix > before) this.onPrefixAdvanced?.(this.tracked[this.prefix - 1].offset);
    if (this.unsettled === 0) for (const resolve of this.settledWaiters.splice(0)) resolve();
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}|${partition}`;
}

/** The offset after `offset` (Kafka commits the next position to read). */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
