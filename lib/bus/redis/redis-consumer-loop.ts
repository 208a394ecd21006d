import type { Redis } from 'ioredis';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import type { ConsumerSink } from '../broker/broker-transport.js';
import { closeConnection, describeError } from './redis-connections.js';
import { deliveryCounts, ensureGroup, isNoGroupError, settledWithin, type StreamReply } from './redis-group.js';
import type { ResolvedRedisEventBusConfig } from './redis-event-bus.config.js';
import { toIncoming, type RawEntry } from './redis-wire.js';

export interface ConsumerLoopDeps {
  /** Dedicated connection: XREADGROUP BLOCK holds it, so nothing else may queue behind it. */
  blocking: Redis;
  commands: Redis;
  config: ResolvedRedisEventBusConfig;
  logger: EventSourcingLogger;
  sink: ConsumerSink;
}

/**
 * Fetches entries for one consumer and hands them to the shared core. Three sources:
 * this consumer's own pending entries (at start and after every reconnect, since a reply lost
 * with the connection leaves entries pending but unseen), new entries (`>`), and entries of
 * dead consumers idle longer than pendingIdleMs (XAUTOCLAIM, every claimIntervalMs).
 */
export class RedisConsumerLoop {
  /** Entries handed to the core (or about to be) and not settled yet; kept owned by refreshIdle(). */
  readonly inFlight = new Set<string>();
  private running = false;
  private loop?: Promise<void>;
  /** Waits (for room in the core, or a backoff) that stop() ends early. */
  private readonly wakers = new Set<() => void>();
  private ownPendingDue = true;
  private blockingClientId?: number;
  private claiming?: Promise<void>;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stream: string;
  private readonly group: string;
  private readonly me: string;

  constructor(private readonly deps: ConsumerLoopDeps) {
    this.stream = deps.config.streamName;
    this.group = deps.config.consumerGroup;
    this.me = deps.config.consumerName;
  }

  async start(): Promise<void> {
    await ensureGroup(this.deps.commands, this.stream, this.group);
    this.running = true;
    this.loop = this.run();
    const { claimIntervalMs, pendingIdleMs } = this.deps.config;
    this.timers.push(setInterval(() => void this.claimIdle(), claimIntervalMs));
    // Refresh well within pendingIdleMs, so no other consumer claims what this one still holds.
    this.timers.push(setInterval(() => void this.refreshIdle(), Math.max(50, Math.floor(pendingIdleMs / 3))));
    void this.claimIdle();
  }

  /** The consumer connection came back: re-read our pending entries (lost replies) and its client id. */
  connectionRestored(): void {
    this.ownPendingDue = true;
    this.blockingClientId = undefined;
  }

  /** Stops fetching. Entries already handed over are settled by the core. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
    for (const timer of this.timers) clearInterval(timer);
    const { blocking, commands } = this.deps;
    if (this.blockingClientId !== undefined && commands.status === 'ready') {
      // Ends the blocked XREADGROUP now instead of after blockMs; it returns nothing.
      await settledWithin(commands.call('CLIENT', 'UNBLOCK', String(this.blockingClientId)), 1_000).catch(() => undefined);
    }
    if (!(await settledWithin(this.loop, 1_000))) await closeConnection(blocking); // the read was not blocked yet or the link is down
    // A read parked for a reconnect may never settle; once stopped it exits whenever it does.
    if (!(await settledWithin(this.loop, 2_000)))
      this.deps.logger.warn(`Redis consumer ${this.me}: the read loop did not end in time; abandoning it`);
    await settledWithin(this.claiming, 2_000);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        this.blockingClientId ??= Number(await this.deps.blocking.call('CLIENT', 'ID'));
        if (this.ownPendingDue) {
          this.ownPendingDue = false;
          await this.readOwnPending().catch((error: unknown) => {
            this.ownPendingDue = true;
            throw error;
          });
        }
        if (!(await this.waitReady())) break;
        const { batchSize, blockMs } = this.deps.config;
        const reply = (await this.deps.blocking.xreadgroup(
          'GROUP',
          this.group,
          this.me,
          'COUNT',
          batchSize,
          'BLOCK',
          blockMs,
          'STREAMS',
          this.stream,
          '>',
        )) as StreamReply;
        failures = 0;
        await this.handOver(reply?.[0]?.[1] ?? [], false);
      } catch (error) {
        if (!this.running) break;
        if (isNoGroupError(error)) {
          await this.recreateGroup(error).catch((inner: unknown) =>
            this.deps.logger.error(`Could not recreate consumer group '${this.group}': ${describeError(inner)}`),
          );
          continue;
        }
        failures++;
        this.deps.logger.error(
          `Redis consumer ${this.me} could not read ${this.stream} (retrying): ${describeError(error)}`,
          toError(error).stack,
        );
        await this.sleep(Math.min(5_000, 100 * 2 ** failures));
      }
    }
  }

  /** XREADGROUP from id 0 returns this consumer's own pending entries, page by page. */
  private async readOwnPending(): Promise<void> {
    let cursor = '0';
    let total = 0;
    while (this.running) {
      const reply = (await this.deps.blocking.xreadgroup(
        'GROUP',
        this.group,
        this.me,
        'COUNT',
        this.deps.config.batchSize,
        'STREAMS',
        this.stream,
        cursor,
      )) as StreamReply;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) break;
      total += await this.handOver(entries, true, await deliveryCounts(this.deps.commands, this.stream, this.group, this.me, entries));
      cursor = entries[entries.length - 1]![0];
    }
    if (total > 0) this.deps.logger.warn(`Redis consumer ${this.me} resumed ${total} of its own pending entries`);
  }

  /** Claims entries of consumers that stopped (crashed, or lost the reply) longer than pendingIdleMs ago. */
  private claimIdle(): Promise<void> {
    if (this.claiming || !this.running) return this.claiming ?? Promise.resolve();
    const { commands, config, logger } = this.deps;
    this.claiming = (async () => {
      let cursor = '0-0';
      let claimed = 0;
      do {
        const reply = (await commands.xautoclaim(
          this.stream,
          this.group,
          this.me,
          config.pendingIdleMs,
          cursor,
          'COUNT',
          config.batchSize,
        )) as unknown[];
        // Redis 6.2 replies [cursor, entries]; 7.0 adds the ids whose entries were deleted (dropped from the PEL).
        cursor = String(reply[0]);
        const entries = (reply[1] ?? []) as RawEntry[];
        const deleted = (reply[2] ?? []) as string[];
        if (deleted.length > 0)
          logger.warn(
            `Redis dropped ${deleted.length} pending entr${deleted.length === 1 ? 'y' : 'ies'} of ${this.stream} whose data was trimmed or deleted`,
          );
        if (entries.length > 0) {
          const handed = await this.handOver(
            entries,
            true,
            await deliveryCounts(this.deps.commands, this.stream, this.group, this.me, entries),
          );
          claimed += handed;
          if (handed > 0)
            logger.warn(
              `Redis consumer ${this.me} claimed ${handed} entr${handed === 1 ? 'y' : 'ies'} idle for more than pendingIdleMs=${config.pendingIdleMs}`,
            );
        }
      } while (cursor !== '0-0' && this.running && claimed < config.batchSize * 10);
    })()
      .catch((error: unknown) => {
        if (!isNoGroupError(error)) logger.warn(`Redis consumer ${this.me} could not claim idle entries: ${describeError(error)}`);
      })
      .finally(() => (this.claiming = undefined));
    return this.claiming;
  }

  /** XCLAIM ... JUSTID to ourselves resets idle time without counting a delivery. */
  private async refreshIdle(): Promise<void> {
    if (!this.running || this.inFlight.size === 0) return;
    const ids = [...this.inFlight];
    try {
      for (let i = 0; i < ids.length; i += 500) {
        await this.deps.commands.xclaim(this.stream, this.group, this.me, 0, ...ids.slice(i, i + 500), 'JUSTID');
      }
    } catch (error) {
      if (!isNoGroupError(error))
        this.deps.logger.warn(`Redis consumer ${this.me} could not refresh ${ids.length} held entries: ${describeError(error)}`);
    }
  }

  /** Gives entries to the core one by one as it has room. Returns how many were handed over. */
  private async handOver(entries: RawEntry[], redelivered: boolean, deliveries?: Map<string, number>): Promise<number> {
    const fresh: Array<[string, string[]]> = [];
    const gone: string[] = [];
    for (const [id, fields] of entries) {
      if (!fields) gone.push(id);
      else if (!this.inFlight.has(id)) {
        this.inFlight.add(id);
        fresh.push([id, fields]);
      }
    }
    if (gone.length > 0) {
      // Pending but trimmed/deleted from the stream: nothing left to process.
      await this.deps.commands.xack(this.stream, this.group, ...gone);
      this.deps.logger.warn(
        `Acked ${gone.length} pending entr${gone.length === 1 ? 'y' : 'ies'} of ${this.stream} whose data no longer exists`,
      );
    }
    let handed = 0;
    for (const [id, fields] of fresh) {
      // Backpressure between entries; once stopping, the rest of a fetched batch is still handed
      // over (the core finishes it), so fetched entries are not left pending for a redelivery.
      if ((handed > 0 || redelivered) && !this.deps.sink.hasRoom()) await this.waitReady();
      const previous = Math.max(0, (deliveries?.get(id) ?? 1) - 1);
      this.deps.sink.deliver(toIncoming(id, fields, redelivered, previous), () => this.inFlight.delete(id));
      handed++;
    }
    return handed;
  }

  private async recreateGroup(error: unknown): Promise<void> {
    this.deps.logger.warn(
      `Consumer group '${this.group}' of ${this.stream} no longer exists (${describeError(error)}): Redis restarted empty ` +
        'or the stream was deleted. Recreating it; entries that were in the old stream are gone.',
    );
    await ensureGroup(this.deps.commands, this.stream, this.group);
    this.ownPendingDue = false;
  }

  private async waitReady(): Promise<boolean> {
    if (!this.running) return false;
    await this.untilStopped(this.deps.sink.ready());
    return this.running;
  }

  private async sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await this.untilStopped(new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))));
    clearTimeout(timer);
  }

  /**
   * Resolves with `work` or when stop() is called. A fresh waker per call (not a race against
   * one long-lived promise, which would keep a reaction per consumed entry until shutdown).
   */
  private untilStopped(work: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.wakers.delete(wake);
        resolve();
      };
      this.wakers.add(wake);
      void work.then(wake, wake);
    });
  }
}
