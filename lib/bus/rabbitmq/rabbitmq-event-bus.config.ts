import { ConfigurationError } from '../../errors/configuration.error.js';
import { redactUrl } from '../../utils/redact-url.util.js';
import {
  integerAtLeast,
  nonEmptyString,
  oneOf,
  resolveBrokerConfig,
  stripUndefined,
  type BrokerBusConfig,
  type ResolvedBrokerBusConfig,
} from '../broker/broker.config.js';

export type RabbitMQExchangeType = 'topic' | 'direct' | 'fanout' | 'headers';

/**
 * Socket and TLS options handed to amqplib unchanged (`ca`, `cert`, `key`, `passphrase`,
 * `servername`, `rejectUnauthorized`, `timeout`, `clientProperties`, …). Typed loosely so the
 * package's types do not depend on amqplib being installed.
 */
export type RabbitMQSocketOptions = Record<string, unknown>;

/** eventsource-py's RabbitMQ settings in camelCase, durations in milliseconds. */
export interface RabbitMQEventBusConfig extends BrokerBusConfig {
  /** `amqp://` or `amqps://` URL; the password never appears in logs or errors. */
  rabbitmqUrl?: string;
  exchangeName?: string;
  exchangeType?: RabbitMQExchangeType;
  /**
   * One binding key for the group's queue instead of one per subscribed event type
   * (topic/direct only; e.g. `Order.*`).
   */
  routingKeyPattern?: string;
  /** Unacknowledged deliveries the broker may push to this consumer; default 2 × concurrency. */
  prefetchCount?: number;
  durable?: boolean;
  autoDelete?: boolean;
  /** AMQP heartbeat; 0 disables it (not recommended: dead peers go unnoticed). */
  heartbeatMs?: number;
  /** Events per chunk in publishBatch(). */
  batchSize?: number;
  /** Publishes awaiting a broker confirm at any moment; more wait for a free slot. */
  confirmWindow?: number;
  /** First delay of the reconnect backoff after a connection loss. */
  reconnectBaseDelayMs?: number;
  /** Upper bound of the reconnect backoff; reconnecting never gives up. */
  reconnectMaxDelayMs?: number;
  socketOptions?: RabbitMQSocketOptions;
}

export type ResolvedRabbitMQEventBusConfig = ResolvedBrokerBusConfig &
  Required<Omit<RabbitMQEventBusConfig, keyof BrokerBusConfig | 'routingKeyPattern'>> & {
    routingKeyPattern: string | undefined;
  };

/** What getQueueInfo() reports about the group's queue and its DLQ. */
export interface RabbitMQQueueInfo {
  queue: string;
  messageCount: number;
  consumerCount: number;
  dlqMessageCount: number;
}

export const RABBITMQ_DEFAULTS = {
  rabbitmqUrl: 'amqp://guest:guest@localhost:5672/',
  exchangeName: 'events',
  exchangeType: 'topic',
  durable: true,
  autoDelete: false,
  heartbeatMs: 60_000,
  batchSize: 100,
  confirmWindow: 500,
  reconnectBaseDelayMs: 100,
  reconnectMaxDelayMs: 10_000,
} as const;

const MAX_PREFETCH = 65_535;

/** Applies defaults and validates every key; throws ConfigurationError naming the key. */
export function resolveRabbitMQConfig(config: RabbitMQEventBusConfig = {}): ResolvedRabbitMQEventBusConfig {
  const broker = resolveBrokerConfig(config);
  const own = stripUndefined(config);
  const resolved: ResolvedRabbitMQEventBusConfig = {
    ...RABBITMQ_DEFAULTS,
    prefetchCount: Math.min(MAX_PREFETCH, 2 * broker.concurrency),
    socketOptions: {},
    routingKeyPattern: undefined,
    ...own,
    ...broker,
  } as ResolvedRabbitMQEventBusConfig;

  validateUrl(resolved.rabbitmqUrl);
  nonEmptyString('exchangeName', resolved.exchangeName);
  oneOf('exchangeType', resolved.exchangeType, ['topic', 'direct', 'fanout', 'headers']);
  if (resolved.routingKeyPattern !== undefined) {
    nonEmptyString('routingKeyPattern', resolved.routingKeyPattern);
    if (resolved.exchangeType !== 'topic' && resolved.exchangeType !== 'direct') {
      throw new ConfigurationError(
        'routingKeyPattern',
        resolved.routingKeyPattern,
        `no value: a ${resolved.exchangeType} exchange ignores routing keys`,
      );
    }
  }
  integerAtLeast('prefetchCount', resolved.prefetchCount, 1);
  if (resolved.prefetchCount > MAX_PREFETCH) {
    throw new ConfigurationError('prefetchCount', resolved.prefetchCount, `an integer from 1 to ${MAX_PREFETCH}`);
  }
  boolean('durable', resolved.durable);
  boolean('autoDelete', resolved.autoDelete);
  integerAtLeast('heartbeatMs', resolved.heartbeatMs, 0);
  integerAtLeast('batchSize', resolved.batchSize, 1);
  integerAtLeast('confirmWindow', resolved.confirmWindow, 1);
  integerAtLeast('reconnectBaseDelayMs', resolved.reconnectBaseDelayMs, 1);
  integerAtLeast('reconnectMaxDelayMs', resolved.reconnectMaxDelayMs, resolved.reconnectBaseDelayMs, 'reconnectBaseDelayMs');
  if (resolved.socketOptions === null || typeof resolved.socketOptions !== 'object' || Array.isArray(resolved.socketOptions)) {
    throw new ConfigurationError('socketOptions', resolved.socketOptions, 'an object of amqplib socket/TLS options');
  }
  return resolved;
}

function validateUrl(url: unknown): void {
  if (typeof url !== 'string' || !/^amqps?:\/\/[^\s]+$/i.test(url)) {
    throw new ConfigurationError('rabbitmqUrl', typeof url === 'string' ? redactUrl(url) : url, "an 'amqp://' or 'amqps://' URL");
  }
}

function boolean(key: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new ConfigurationError(key, value, 'true or false');
}
