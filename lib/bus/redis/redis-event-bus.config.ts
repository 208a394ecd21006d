import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConfigurationError } from '../../errors/configuration.error.js';
import {
  integerAtLeast,
  nonEmptyString,
  resolveBrokerConfig,
  stripUndefined,
  type BrokerBusConfig,
  type ResolvedBrokerBusConfig,
} from '../broker/broker.config.js';

/** RedisEventBus settings: the shared broker keys plus eventsource-py's Redis keys in camelCase. */
export interface RedisEventBusConfig extends BrokerBusConfig {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  redisUrl?: string;
  /** Events go to `{streamPrefix}:stream`, dead letters to `{streamPrefix}:stream_dlq`. */
  streamPrefix?: string;
  /** Entries fetched per XREADGROUP (COUNT). */
  batchSize?: number;
  /** How long one XREADGROUP waits for new entries (BLOCK). Always finite. */
  blockMs?: number;
  /** Pending entries idle this long belong to a dead consumer and are claimed (XAUTOCLAIM). */
  pendingIdleMs?: number;
  /** How often this consumer looks for such entries. */
  claimIntervalMs?: number;
  /** Approximate stream length cap (`XADD MAXLEN ~`). Unset: no trimming. */
  maxLen?: number;
  /** How long connect() waits for Redis before failing with BrokerConnectionError. */
  connectTimeoutMs?: number;
  /** TLS options for the socket (also enabled by a `rediss://` URL). */
  tls?: TlsOptions;
  username?: string;
  password?: string;
  /** Extra ioredis options, applied to every connection (the bus's own reliability settings win). */
  redisOptions?: Record<string, unknown>;
}

export interface ResolvedRedisEventBusConfig extends ResolvedBrokerBusConfig {
  redisUrl: string;
  streamPrefix: string;
  batchSize: number;
  blockMs: number;
  pendingIdleMs: number;
  claimIntervalMs: number;
  maxLen: number | undefined;
  connectTimeoutMs: number;
  tls: TlsOptions | undefined;
  username: string | undefined;
  password: string | undefined;
  redisOptions: Record<string, unknown>;
  /** `{streamPrefix}:stream` */
  streamName: string;
  /** `{streamPrefix}:stream_dlq` */
  dlqStreamName: string;
}

export const REDIS_DEFAULTS = {
  redisUrl: 'redis://localhost:6379',
  streamPrefix: 'events',
  batchSize: 100,
  blockMs: 5_000,
  pendingIdleMs: 120_000,
  claimIntervalMs: 30_000,
  connectTimeoutMs: 10_000,
} as const;

const REDIS_KEYS = [
  'redisUrl',
  'streamPrefix',
  'batchSize',
  'blockMs',
  'pendingIdleMs',
  'claimIntervalMs',
  'maxLen',
  'connectTimeoutMs',
  'tls',
  'username',
  'password',
  'redisOptions',
] as const;

/** Applies defaults and validates; throws ConfigurationError naming the key. */
export function resolveRedisConfig(config: RedisEventBusConfig = {}): ResolvedRedisEventBusConfig {
  if (config === null || typeof config !== 'object') throw new ConfigurationError('config', config, 'an object');
  const shared: Record<string, unknown> = { ...config };
  for (const key of REDIS_KEYS) delete shared[key];
  const base = resolveBrokerConfig(shared as BrokerBusConfig);
  const own = { ...REDIS_DEFAULTS, ...stripUndefined(pickRedisKeys(config)) };

  if (typeof own.redisUrl !== 'string' || !/^rediss?:\/\/./i.test(own.redisUrl)) {
    throw new ConfigurationError('redisUrl', own.redisUrl, 'a redis:// or rediss:// URL');
  }
  nonEmptyString('streamPrefix', own.streamPrefix);
  integerAtLeast('batchSize', own.batchSize, 1);
  integerAtLeast('blockMs', own.blockMs, 1);
  integerAtLeast('claimIntervalMs', own.claimIntervalMs, 10);
  integerAtLeast('connectTimeoutMs', own.connectTimeoutMs, 1);
  const minIdle = base.retryMaxDelayMs + base.handlerTimeoutMs;
  if (!Number.isInteger(own.pendingIdleMs) || own.pendingIdleMs <= minIdle) {
    // A smaller value lets another consumer steal a message its owner is still retrying.
    throw new ConfigurationError('pendingIdleMs', own.pendingIdleMs, `an integer > retryMaxDelayMs + handlerTimeoutMs (${minIdle})`);
  }
  if (own.maxLen !== undefined) integerAtLeast('maxLen', own.maxLen, 1);
  for (const key of ['username', 'password'] as const) {
    if (own[key] !== undefined && typeof own[key] !== 'string') throw new ConfigurationError(key, '(hidden)', 'a string');
  }
  for (const key of ['tls', 'redisOptions'] as const) {
    const value = own[key];
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ConfigurationError(key, value, 'an object');
    }
  }
  return {
    ...base,
    redisUrl: own.redisUrl,
    streamPrefix: own.streamPrefix,
    batchSize: own.batchSize,
    blockMs: own.blockMs,
    pendingIdleMs: own.pendingIdleMs,
    claimIntervalMs: own.claimIntervalMs,
    maxLen: own.maxLen,
    connectTimeoutMs: own.connectTimeoutMs,
    tls: own.tls,
    username: own.username,
    password: own.password,
    redisOptions: own.redisOptions ?? {},
    streamName: `${own.streamPrefix}:stream`,
    dlqStreamName: `${own.streamPrefix}:stream_dlq`,
  };
}

function pickRedisKeys(config: RedisEventBusConfig): Pick<RedisEventBusConfig, (typeof REDIS_KEYS)[number]> {
  const picked: Record<string, unknown> = {};
  for (const key of REDIS_KEYS) picked[key] = config[key];
  return picked;
}
