import { BrokerConnectionError } from '../../errors/broker-connection.error.js';
import { PublishRejectedError } from '../../errors/publish-rejected.error.js';
import { PublishTimeoutError } from '../../errors/publish-timeout.error.js';
import type { RabbitMQConnection, RabbitMQSession } from './rabbitmq-connection.js';
import type { AmqpEnvelope } from './rabbitmq-message.js';

/** One publish() call: settles once every message is confirmed, nacked, or the call timed out. */
interface PublishCall {
  pending: number;
  accepted: string[];
  rejected: string[];
  done: boolean;
  timer: NodeJS.Timeout;
  resolve(): void;
  reject(error: Error): void;
}

interface Entry {
  seq: number;
  envelope: AmqpEnvelope;
  call: PublishCall;
  /** Session it was last sent on; its confirm is only trusted from that session. */
  sentOn?: number;
}

/**
 * Publisher confirms within a window: up to `confirmWindow` messages are on the wire at once,
 * and a publish() of many events sends them all before awaiting their confirms (no round
 * trip per event). Messages not confirmed when the session dies are sent again, in order,
 * on the next session; so a publish can be stored twice (handlers dedupe by event id).
 */
export class RabbitMQPublisher {
  private queue: Entry[] = [];
  private readonly inFlight = new Map<number, Entry>();
  private seq = 0;
  private pumping = false;
  private writable = true;
  private wakeUp?: () => void;

  constructor(
    private readonly connection: RabbitMQConnection,
    private readonly confirmWindow: number,
    private readonly timeoutMs: number,
  ) {
    connection.onLost((session) => this.requeueSentOn(session));
    connection.onOpen(() => this.wake());
  }

  /** Messages waiting to be sent or confirmed. */
  get unconfirmedCount(): number {
    return this.queue.length + this.inFlight.size;
  }

  publish(envelopes: AmqpEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const call: PublishCall = {
        pending: envelopes.length,
        accepted: [],
        rejected: [],
        done: false,
        resolve,
        reject,
        timer: undefined as never,
      };
      // Past the deadline the caller has been told "timed out": do not send the rest later.
      call.timer = setTimeout(() => this.expire(call, envelopes), this.timeoutMs);
      for (const envelope of envelopes) this.queue.push({ seq: ++this.seq, envelope, call });
      void this.pump();
    });
  }

  /** Rejects everything still pending (the bus disconnects). */
  close(): void {
    const error = new BrokerConnectionError('The RabbitMQ connection closed before the broker confirmed the publish.');
    for (const entry of [...this.queue, ...this.inFlight.values()]) this.finish(entry.call, error);
    this.queue = [];
    this.inFlight.clear();
    this.wake();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        let session: RabbitMQSession;
        try {
          session = this.connection.current ?? (await this.connection.whenReady());
        } catch (error) {
          for (const entry of this.queue.splice(0)) this.finish(entry.call, error as Error);
          return;
        }
        if (this.inFlight.size >= this.confirmWindow || !this.writable) {
          await this.sleep();
          continue;
        }
        const entry = this.queue.shift();
        if (entry && !entry.call.done) this.send(session, entry);
      }
    } finally {
      this.pumping = false;
    }
  }

  private send(session: RabbitMQSession, entry: Entry): void {
    const { exchange, routingKey, content, options } = entry.envelope;
    entry.sentOn = session.id;
    this.inFlight.set(entry.seq, entry);
    try {
      const ok = session.publishChannel.publish(exchange, routingKey, content, options, (error: unknown) =>
        this.confirmed(session, entry, error),
      );
      if (!ok) this.waitForDrain(session);
    } catch (error) {
      this.inFlight.delete(entry.seq);
      entry.sentOn = undefined;
      if ((error as Error)?.name !== 'IllegalOperationError') {
        // Not a closed channel (amqplib 2.3.1 throws RangeError for a headers table over 64 KiB).
        this.finish(entry.call, error as Error);
        return;
      }
      // The channel closed under us: keep the message for the next session.
      this.insertInOrder([entry]);
      this.connection.fail(session, error as Error);
    }
  }

  private confirmed(session: RabbitMQSession, entry: Entry, error: unknown): void {
    if (entry.sentOn !== session.id || this.inFlight.get(entry.seq) !== entry) return;
    // 'channel closed': not a verdict. The session-lost handler re-queues the message.
    if (error && !(error instanceof Error && error.message === 'message nacked')) return;
    this.inFlight.delete(entry.seq);
    this.settle(entry, error ? (error as Error) : undefined);
    this.wake();
  }

  private settle(entry: Entry, error?: Error): void {
    const call = entry.call;
    (error ? call.rejected : call.accepted).push(entry.envelope.eventId);
    call.pending -= 1;
    if (call.pending > 0 || call.done) return;
    if (call.rejected.length === 0) this.finish(call);
    else this.finish(call, new PublishRejectedError(call.accepted, call.rejected, error ?? new Error('message nacked')));
  }

  private finish(call: PublishCall, error?: Error): void {
    if (call.done) return;
    call.done = true;
    clearTimeout(call.timer);
    if (error) call.reject(error);
    else call.resolve();
  }

  private expire(call: PublishCall, envelopes: AmqpEnvelope[]): void {
    this.queue = this.queue.filter((entry) => entry.call !== call);
    this.finish(
      call,
      new PublishTimeoutError(
        this.timeoutMs,
        envelopes.map((e) => e.eventId),
      ),
    );
  }

  private requeueSentOn(session: RabbitMQSession): void {
    const lost = [...this.inFlight.values()].filter((entry) => entry.sentOn === session.id);
    for (const entry of lost) {
      this.inFlight.delete(entry.seq);
      entry.sentOn = undefined;
    }
    this.insertInOrder(lost.filter((entry) => !entry.call.done));
    this.writable = true;
    this.wake();
  }

  private insertInOrder(entries: Entry[]): void {
    if (entries.length === 0) return;
    this.queue = [...entries, ...this.queue].sort((a, b) => a.seq - b.seq);
  }

  private waitForDrain(session: RabbitMQSession): void {
    this.writable = false;
    session.publishChannel.once('drain', () => {
      this.writable = true;
      this.wake();
    });
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => (this.wakeUp = resolve));
  }

  /** Wakes a waiting pump, or starts one when messages were put back in the queue. */
  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
    if (!this.pumping && this.queue.length > 0) void this.pump();
  }
}
