import type { Redis } from 'ioredis';
import { BrokerConnectionError } from '../../errors/broker-connection.error.js';
import { PublishRejectedError } from '../../errors/publish-rejected.error.js';
import { redactUrl } from '../../utils/redact-url.util.js';
import type {
  BrokerTransport,
  ConsumerSink,
  DeadLetterInfo,
  DlqMessage,
  HealthReport,
  IncomingMessage,
  OutgoingMessage,
} from '../broker/broker-transport.js';
import type { TransportContext } from '../broker/broker.event-bus.js';
import { closeConnection, describeError, loadRedis, openConnection, type ConnectionRole } from './redis-connections.js';
import { RedisConsumerLoop } from './redis-consumer-loop.js';
import { RedisDeadLetters } from './redis-dlq.js';
import type { ResolvedRedisEventBusConfig } from './redis-event-bus.config.js';
import { pairsToRecord, readStreamInfo, type RedisStreamInfo } from './redis-stream-info.js';
import { toStreamFields } from './redis-wire.js';

const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Redis Streams transport: one stream `{prefix}:stream`, consumer groups, a dead-letter stream.
 * Two connections: `commands` (publish, ack, claims, DLQ, info) and, while consuming, a dedicated
 * `consumer` connection for the blocking XREADGROUP.
 */
export class RedisTransport implements BrokerTransport {
  readonly kind = 'redis';
  readonly consumerGroup: string;
  readonly consumerName: string;
  private commands?: Redis;
  private blocking?: Redis;
  private opening?: Promise<Redis>;
  private loop?: RedisConsumerLoop;
  private sink?: ConsumerSink;
  private readonly dlq: RedisDeadLetters;
  private ackIds: string[] = [];
  private ackFlush?: Promise<void>;

  constructor(
    private readonly config: ResolvedRedisEventBusConfig,
    private readonly context: TransportContext,
  ) {
    this.consumerGroup = config.consumerGroup;
    this.consumerName = config.consumerName;
    this.dlq = new RedisDeadLetters(() => this.client(), config.streamName, config.dlqStreamName, config.consumerGroup);
  }

  async connect(): Promise<void> {
    if (this.commands) return;
    this.opening ??= this.open('commands').finally(() => (this.opening = undefined));
    this.commands = await this.opening;
  }

  async disconnect(): Promise<void> {
    await this.stopConsuming();
    const client = this.commands;
    this.commands = undefined;
    await closeConnection(client, true);
  }

  isConnected(): boolean {
    return this.commands?.status === 'ready';
  }

  /** One pipeline of XADDs: one round trip for the whole list. */
  async publish(messages: OutgoingMessage[]): Promise<void> {
    const pipeline = this.client().pipeline();
    const { streamName, maxLen } = this.config;
    for (const message of messages) {
      const fields = toStreamFields(message);
      if (maxLen === undefined) pipeline.xadd(streamName, '*', ...fields);
      else pipeline.xadd(streamName, 'MAXLEN', '~', maxLen, '*', ...fields);
    }
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw new BrokerConnectionError(`Redis publish to ${streamName} failed: ${describeError(error)}`, error);
    }
    if (results && results.every(([error]) => !error)) return;
    const accepted: string[] = [];
    const rejected: string[] = [];
    let firstError: Error | undefined;
    messages.forEach((message, i) => {
      const error = results?.[i]?.[0] ?? (results ? null : new Error('pipeline aborted'));
      if (error) {
        rejected.push(message.event.eventId);
        firstError ??= new Error(describeError(error));
      } else accepted.push(message.event.eventId);
    });
    throw new PublishRejectedError(accepted, rejected, firstError);
  }

  async startConsuming(sink: ConsumerSink): Promise<void> {
    if (this.loop) return;
    await this.connect();
    const blocking = await this.open('consumer');
    const loop = new RedisConsumerLoop({ blocking, commands: this.client(), config: this.config, logger: this.context.logger, sink });
    try {
      await loop.start();
    } catch (error) {
      await closeConnection(blocking);
      throw new BrokerConnectionError(
        `Could not create consumer group '${this.consumerGroup}' on ${this.config.streamName}: ${describeError(error)}`,
        error,
      );
    }
    this.blocking = blocking;
    this.sink = sink;
    this.loop = loop;
  }

  async stopConsuming(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    this.loop = undefined;
    this.sink = undefined;
    await loop.stop();
    await closeConnection(this.blocking);
    this.blocking = undefined;
  }

  /** Acks of the same tick go out as one XACK. */
  ack(message: IncomingMessage): Promise<void> {
    this.ackIds.push(message.id);
    this.ackFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const ids = this.ackIds;
      this.ackIds = [];
      this.ackFlush = undefined;
      await this.client().xack(this.config.streamName, this.consumerGroup, ...ids);
    });
    return this.ackFlush;
  }

  async deadLetter(message: IncomingMessage, info: DeadLetterInfo): Promise<void> {
    await this.dlq.write(message, info);
  }

  /** Resets the entry's idle time (XCLAIM to ourselves, JUSTID) so XAUTOCLAIM elsewhere leaves it alone. */
  async keepAlive(message: IncomingMessage): Promise<void> {
    await this.client().xclaim(this.config.streamName, this.consumerGroup, this.consumerName, 0, message.id, 'JUSTID');
  }

  getDlqMessages(limit: number): Promise<DlqMessage[]> {
    return this.dlq.list(limit);
  }

  readDlqMessage(id: string): Promise<DlqMessage | undefined> {
    return this.dlq.read(id);
  }

  getDlqMessageCount(): Promise<number> {
    return this.dlq.count();
  }

  removeDlqMessage(id: string): Promise<boolean> {
    return this.dlq.remove(id);
  }

  purgeDlq(): Promise<number> {
    return this.dlq.purge();
  }

  async streamInfo(): Promise<RedisStreamInfo> {
    return readStreamInfo(this.client(), this.config);
  }

  /** PING, and while consuming: the group exists and the consumer connection is up. */
  async healthCheck(): Promise<HealthReport> {
    const details: Record<string, unknown> = {
      url: redactUrl(this.config.redisUrl),
      stream: this.config.streamName,
      dlqStream: this.config.dlqStreamName,
      consumerGroup: this.consumerGroup,
      consumerName: this.consumerName,
      connection: this.commands?.status ?? 'closed',
      consumerConnection: this.blocking?.status ?? 'none',
    };
    if (!this.commands) return { healthy: false, status: 'unhealthy', details: { ...details, error: 'not connected' } };
    try {
      const started = Date.now();
      await withTimeout(this.commands.ping(), HEALTH_TIMEOUT_MS, 'PING');
      details.latencyMs = Date.now() - started;
      if (this.loop) {
        const groups = (await withTimeout(this.commands.xinfo('GROUPS', this.config.streamName), HEALTH_TIMEOUT_MS, 'XINFO GROUPS').catch(
          () => [],
        )) as unknown[][];
        const group = groups.map(pairsToRecord).find((g) => g.name === this.consumerGroup);
        details.groupExists = group !== undefined;
        details.pending = group ? Number(group.pending) : 0;
        details.inFlightEntries = this.loop.inFlight.size;
        const consumerUp = this.blocking?.status === 'ready';
        if (!group || !consumerUp) return { healthy: false, status: 'degraded', details };
      }
      return { healthy: true, status: 'healthy', details };
    } catch (error) {
      return { healthy: false, status: 'unhealthy', details: { ...details, error: describeError(error) } };
    }
  }

  private async open(role: ConnectionRole): Promise<Redis> {
    const RedisClass = await loadRedis();
    return openConnection(RedisClass, this.config, role, this.context.logger, { onReconnect: (r) => this.reconnected(r) });
  }

  private reconnected(role: ConnectionRole): void {
    if (role === 'consumer') this.loop?.connectionRestored();
    this.context.reconnected(`${role} connection to ${redactUrl(this.config.redisUrl)}`);
  }

  private client(): Redis {
    if (!this.commands) throw new BrokerConnectionError(`Not connected to Redis at ${redactUrl(this.config.redisUrl)}`);
    return this.commands;
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no reply within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
