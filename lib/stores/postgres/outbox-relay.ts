import type { EventPublisher } from '../../bus/event-publisher.js';
import { ConfigurationError } from '../../errors/configuration.error.js';
import { stderrLogger, toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import { OutboxBatch } from './outbox-batch.js';
import type { OutboxContext } from './outbox-queries.js';
import { purgeSent } from './outbox-queries.js';
import { positiveInt } from './postgres-event-store.options.js';
import type { PostgresEventStore } from './postgres.event-store.js';
import type { PgPoolClient } from './pg-types.js';

export interface OutboxRelayOptions {
  /** A PostgresEventStore created with `outbox: true`. */
  store: PostgresEventStore;
  /** Usually the application's event bus. */
  publisher: EventPublisher;
  /** Pause between polls when the outbox is drained. Default 500. */
  pollIntervalMs?: number;
  /** Rows published per transaction (one publish() call). Default 100. */
  batchSize?: number;
  /** First retry delay after a failed publish; doubles per attempt. Default 1000. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Sent rows are deleted after this long. Default 24 h. */
  sentRetentionMs?: number;
  /** Wake on NOTIFY from appends instead of waiting for the next poll (holds one connection). Default true. */
  listen?: boolean;
  logger?: EventSourcingLogger;
}

const PURGE_EVERY_MS = 60_000;

/**
 * Publishes the outbox rows written by PostgresEventStore appends, in id order, and marks them
 * sent in the same transaction once the publisher resolved (at-least-once). Several relays may run
 * against one table (one per app instance): one publishes at a time, the others take over when it
 * stops or dies.
 */
export class OutboxRelay {
  private readonly store: PostgresEventStore;
  private readonly publisher: EventPublisher;
  private readonly logger: EventSourcingLogger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly backoff: { baseDelayMs: number; maxDelayMs: number };
  private readonly sentRetentionMs: number;
  private readonly listen: boolean;
  private running = false;
  private starting?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private wakeRequested = false;
  private consecutiveErrors = 0;
  private lastPurgeAt = 0;
  private listener?: PgPoolClient;
  private listening?: Promise<void>;

  constructor(options: OutboxRelayOptions) {
    if (!options?.store || options.store.publishesThroughOutbox !== true) {
      throw new ConfigurationError('store', options?.store?.constructor?.name, 'a PostgresEventStore created with outbox: true');
    }
    if (typeof options.publisher?.publish !== 'function') {
      throw new ConfigurationError('publisher', options.publisher, 'an EventPublisher (an event bus)');
    }
    this.store = options.store;
    this.publisher = options.publisher;
    this.logger = options.logger ?? stderrLogger;
    this.pollIntervalMs = positiveInt('pollIntervalMs', options.pollIntervalMs ?? 500);
    this.batchSize = positiveInt('batchSize', options.batchSize ?? 100);
    const baseDelayMs = positiveInt('retryBaseDelayMs', options.retryBaseDelayMs ?? 1_000);
    const maxDelayMs = positiveInt('retryMaxDelayMs', options.retryMaxDelayMs ?? 60_000);
    if (maxDelayMs < baseDelayMs) throw new ConfigurationError('retryMaxDelayMs', maxDelayMs, `at least retryBaseDelayMs (${baseDelayMs})`);
    this.backoff = { baseDelayMs, maxDelayMs };
    this.sentRetentionMs = positiveInt('sentRetentionMs', options.sentRetentionMs ?? 86_400_000);
    this.listen = options.listen ?? true;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Initializes the store if needed and starts polling. Idempotent. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      if (this.running) return;
      const context = await this.store.outboxContext();
      this.running = true;
      if (this.listen) this.startListening(context);
      this.schedule(0);
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Stops polling and waits for the batch in flight (its rows are then marked). Idempotent. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.listening?.catch(() => undefined);
    this.releaseListener();
  }

  /**
   * Publishes one batch of due rows now and resolves with the number of events published (0 when
   * another relay holds the table). The polling loop calls it; so can a script draining the outbox.
   */
  async runOnce(): Promise<number> {
    return (await this.runBatch()).count;
  }

  private async runBatch(): Promise<{ count: number; more: boolean }> {
    const context = await this.store.outboxContext();
    const outcome = await new OutboxBatch(context, this.publisher, this.logger, this.backoff).run(this.batchSize);
    if (Date.now() - this.lastPurgeAt >= PURGE_EVERY_MS) {
      this.lastPurgeAt = Date.now();
      await purgeSent(context.pool, context.tables, this.sentRetentionMs);
    }
    if (this.running && this.listen && !this.listener && !this.listening) this.startListening(context);
    return outcome;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.running || this.inFlight) return;
    this.wakeRequested = false;
    this.inFlight = this.runBatch()
      .then(
        (outcome) => {
          this.consecutiveErrors = 0;
          return outcome.more || this.wakeRequested ? 0 : this.pollIntervalMs;
        },
        (error: unknown) => {
          this.consecutiveErrors++;
          this.logger.error(`OutboxRelay: polling the outbox failed (${this.consecutiveErrors} in a row)`, toError(error));
          return Math.min(this.pollIntervalMs * 2 ** this.consecutiveErrors, this.backoff.maxDelayMs);
        },
      )
      .then((delayMs) => {
        this.inFlight = undefined;
        this.schedule(delayMs);
      });
  }

  private wake(): void {
    if (!this.running) return;
    if (this.inFlight) this.wakeRequested = true;
    else this.schedule(0);
  }

  private startListening(context: OutboxContext): void {
    this.listening = (async () => {
      const client = await context.connect();
      client.on('error', (error) => {
        this.logger.warn(`OutboxRelay: LISTEN connection lost; polling every ${this.pollIntervalMs} ms until it is back`, error);
        this.releaseListener();
      });
      client.on('notification', () => this.wake());
      this.listener = client;
      await client.query(`LISTEN "${context.tables.channel}"`);
      if (!this.running) this.releaseListener();
    })()
      .catch((error: unknown) => {
        this.logger.warn('OutboxRelay: could not LISTEN for appends; relying on polling', toError(error));
        this.releaseListener();
      })
      .finally(() => {
        this.listening = undefined;
      });
  }

  private releaseListener(): void {
    const client = this.listener;
    this.listener = undefined;
    if (!client) return;
    client.removeAllListeners('notification');
    // Destroying (not recycling) the connection drops its LISTEN registration with it.
    client.release(true);
  }
}
