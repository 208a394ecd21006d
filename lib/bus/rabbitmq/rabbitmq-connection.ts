import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { BrokerConnectionError } from '../../errors/broker-connection.error.js';
import { loadPackage } from '../../utils/load-package.util.js';
import type { EventSourcingLogger } from '../../utils/logger.util.js';
import { redactUrl } from '../../utils/redact-url.util.js';
import type { ResolvedRabbitMQEventBusConfig } from './rabbitmq-event-bus.config.js';
import { declareExchanges, type RabbitMQNames } from './rabbitmq-topology.js';

type Amqplib = typeof import('amqplib');

/** One AMQP connection with its channels. A lost session is never reused: the next one gets a new id. */
export interface RabbitMQSession {
  readonly id: number;
  readonly connection: ChannelModel;
  publishChannel: ConfirmChannel;
  consumeChannel?: Channel;
  lost: boolean;
  /** Set before closing on purpose, so the close events are not taken for a failure. */
  closing: boolean;
}

export type SessionSetup = (session: RabbitMQSession) => Promise<void>;

/**
 * The bus's single reconnect layer (amqplib's `recovery` option is not used): it reconnects
 * after a connection loss *or* a channel closed by a broker error, with backoff, forever,
 * declares the topology again and runs the setup steps (consumer) before the session counts
 * as open. 'error' and 'close' both end a session, but only once.
 */
export class RabbitMQConnection {
  private amqp?: Amqplib;
  private session?: RabbitMQSession;
  private opening?: Promise<RabbitMQSession>;
  private sessionCount = 0;
  private stopped = true;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnecting = false;
  private waiters: Array<{ resolve: (s: RabbitMQSession) => void; reject: (e: Error) => void }> = [];
  private readonly setupSteps: SessionSetup[] = [];
  private readonly openListeners: Array<(session: RabbitMQSession, reconnect: boolean) => void> = [];
  private readonly lostListeners: Array<(session: RabbitMQSession) => void> = [];

  constructor(
    private readonly config: ResolvedRabbitMQEventBusConfig,
    private readonly names: RabbitMQNames,
    private readonly logger: EventSourcingLogger,
    private readonly connectionName: string,
  ) {}

  get current(): RabbitMQSession | undefined {
    return this.session;
  }

  get isReconnecting(): boolean {
    return this.reconnecting;
  }

  /** Runs on every new session, before it is handed out (consumer channels, bindings). */
  addSetup(step: SessionSetup): void {
    this.setupSteps.push(step);
  }

  onOpen(listener: (session: RabbitMQSession, reconnect: boolean) => void): void {
    this.openListeners.push(listener);
  }

  onLost(listener: (session: RabbitMQSession) => void): void {
    this.lostListeners.push(listener);
  }

  /** First connection: one attempt, failing with BrokerConnectionError. Later losses are recovered. */
  async connect(): Promise<RabbitMQSession> {
    this.stopped = false;
    if (this.session) return this.session;
    if (this.reconnecting) return this.whenReady();
    this.opening ??= this.open(false).finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** The open session, waiting through a reconnect (callers bound the wait themselves). */
  whenReady(): Promise<RabbitMQSession> {
    if (this.session) return Promise.resolve(this.session);
    if (this.stopped) return Promise.reject(new BrokerConnectionError('The RabbitMQ connection is closed.'));
    if (!this.reconnecting && !this.opening) return this.connect();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Ends the session after a failure seen by a caller (consumer cancelled, channel unusable). */
  fail(session: RabbitMQSession, error: Error): void {
    if (session.lost || session.closing) return;
    session.lost = true;
    if (this.session !== session) return; // still opening: open() notices and throws
    this.session = undefined;
    this.logger.warn(`RabbitMQ connection lost (${redactUrl(error.message)}); reconnecting to ${this.redactedUrl}`);
    void session.connection.close().catch(() => undefined);
    for (const listener of this.lostListeners) listener(session);
    this.scheduleReconnect();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.reconnecting = false;
    clearTimeout(this.reconnectTimer);
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) waiter.reject(new BrokerConnectionError('The RabbitMQ connection was closed.'));
    await this.opening?.catch(() => undefined);
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    session.closing = true;
    // Channels first: a channel's close frame follows its pending acks, while a connection
    // close can overtake frames still buffered on other channels. Unacked deliveries requeue.
    await session.consumeChannel?.close().catch(() => undefined);
    await session.publishChannel.close().catch(() => undefined);
    await session.connection.close().catch(() => undefined);
  }

  get redactedUrl(): string {
    return redactUrl(this.config.rabbitmqUrl);
  }

  private async open(reconnect: boolean): Promise<RabbitMQSession> {
    const amqp = await this.load();
    let connection: ChannelModel;
    try {
      connection = await amqp.connect(this.urlWithHeartbeat(), {
        noDelay: true,
        timeout: 10_000,
        ...this.config.socketOptions,
        clientProperties: { connection_name: this.connectionName, ...(this.config.socketOptions.clientProperties as object) },
      });
    } catch (error) {
      throw this.connectionError('Cannot connect to RabbitMQ', error);
    }
    const session: RabbitMQSession = {
      id: ++this.sessionCount,
      connection,
      publishChannel: undefined as never,
      lost: false,
      closing: false,
    };
    connection.on('error', (error: Error) => this.logger.warn(`RabbitMQ connection error: ${redactUrl(error.message)}`));
    connection.on('close', (error?: Error) => this.fail(session, error ?? new Error('connection closed')));
    connection.on('blocked', (reason: string) => this.logger.warn(`RabbitMQ blocked this connection (${reason}); publishes wait`));
    try {
      session.publishChannel = await connection.createConfirmChannel();
      this.watchChannel(session, session.publishChannel, 'publish');
      await declareExchanges(session.publishChannel, this.config, this.names);
      for (const step of this.setupSteps) await step(session);
      if (session.lost) throw new Error('the connection was lost during setup');
      if (this.stopped) throw new Error('the bus disconnected during setup');
    } catch (error) {
      session.lost = true;
      session.closing = true;
      await connection.close().catch(() => undefined);
      throw this.connectionError('Cannot set up RabbitMQ topology', error);
    }
    this.session = session;
    this.reconnecting = false;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(session);
    for (const listener of this.openListeners) listener(session, reconnect);
    return session;
  }

  /** A channel closed by the broker (unknown delivery tag, missing exchange) ends the session too. */
  watchChannel(session: RabbitMQSession, channel: Channel, role: string): void {
    channel.on('error', (error: Error) => this.logger.warn(`RabbitMQ ${role} channel error: ${redactUrl(error.message)}`));
    channel.on('close', () => this.fail(session, new Error(`${role} channel closed`)));
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnecting) return;
    this.reconnecting = true;
    let attempt = 0;
    const tick = async (): Promise<void> => {
      if (this.stopped) return;
      attempt += 1;
      try {
        this.opening = this.open(true).finally(() => (this.opening = undefined));
        await this.opening;
      } catch (error) {
        if (this.stopped) return;
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn(`RabbitMQ reconnect attempt ${attempt} failed: ${redactUrl((error as Error).message)}`);
        }
        this.reconnectTimer = setTimeout(() => void tick(), this.delay(attempt));
      }
    };
    this.reconnectTimer = setTimeout(() => void tick(), this.delay(0));
  }

  private delay(failedAttempts: number): number {
    const { reconnectBaseDelayMs: base, reconnectMaxDelayMs: max } = this.config;
    const raw = Math.min(max, base * 2 ** Math.min(failedAttempts, 20));
    return Math.round(raw * (0.8 + Math.random() * 0.4));
  }

  private urlWithHeartbeat(): string {
    const url = this.config.rabbitmqUrl;
    if (/[?&]heartbeat=/.test(url)) return url;
    return `${url}${url.includes('?') ? '&' : '?'}heartbeat=${Math.ceil(this.config.heartbeatMs / 1000)}`;
  }

  private connectionError(what: string, error: unknown): BrokerConnectionError {
    const reason = redactUrl(error instanceof Error ? error.message : String(error));
    return new BrokerConnectionError(`${what} at ${this.redactedUrl}: ${reason}`, error);
  }

  private async load(): Promise<Amqplib> {
    if (!this.amqp) {
      const mod = await loadPackage('amqplib', 'RabbitMQEventBus', () => import('amqplib'));
      this.amqp = ((mod as { default?: Amqplib }).default ?? mod) as Amqplib;
    }
    return this.amqp;
  }
}
