import type { Channel, Message } from 'amqplib';

/**
 * Acks of one consumer channel. Settled deliveries are acked together on the next turn of the
 * event loop: a contiguous prefix of delivery tags with one `multiple` ack, the rest one by one,
 * so a message waiting for a retry never holds back the acks of later ones. A tag is acked at
 * most once and only on the channel that delivered it: acking twice, or on another channel,
 * is PRECONDITION_FAILED, which closes the channel.
 */
export class AckTracker {
  /** Delivered and not yet acked or nacked, in delivery-tag order. */
  private readonly outstanding = new Set<number>();
  private readonly settled = new Set<number>();
  private flushing?: Promise<void>;

  constructor(
    private readonly channel: Channel,
    private readonly onChannelError: (error: Error) => void,
  ) {}

  get outstandingCount(): number {
    return this.outstanding.size;
  }

  delivered(deliveryTag: number): void {
    this.outstanding.add(deliveryTag);
  }

  /** Queues an ack; resolves once it is written. Unknown or already settled tags are ignored. */
  ack(deliveryTag: number): Promise<void> {
    if (!this.outstanding.has(deliveryTag) || this.settled.has(deliveryTag)) return Promise.resolve();
    this.settled.add(deliveryTag);
    this.flushing ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.flushing = undefined;
        this.flush();
        resolve();
      }),
    );
    return this.flushing;
  }

  /** Hands deliveries the core never saw back to the queue at once. */
  requeue(deliveryTag: number): void {
    if (!this.outstanding.has(deliveryTag) || this.settled.has(deliveryTag)) return;
    this.outstanding.delete(deliveryTag);
    this.send(() => this.channel.nack(tagged(deliveryTag), false, true));
  }

  private flush(): void {
    let top: number | undefined;
    let prefix = 0;
    for (const tag of this.outstanding) {
      if (!this.settled.has(tag)) break;
      top = tag;
      prefix++;
    }
    if (top !== undefined) {
      for (const tag of [...this.outstanding].slice(0, prefix)) {
        this.outstanding.delete(tag);
        this.settled.delete(tag);
      }
      const upTo = top;
      this.send(() => this.channel.ack(tagged(upTo), prefix > 1));
    }
    for (const tag of this.settled) {
      this.outstanding.delete(tag);
      this.send(() => this.channel.ack(tagged(tag), false));
    }
    this.settled.clear();
  }

  private send(operation: () => void): void {
    try {
      operation();
    } catch (error) {
      // The channel closed: the broker requeues everything unacked on it, so the ack is dropped.
      this.onChannelError(error as Error);
    }
  }
}

function tagged(deliveryTag: number): Message {
  return { fields: { deliveryTag } } as Message;
}
