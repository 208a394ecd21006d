import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConfigurationError } from '../../errors/configuration.error.js';
import {
  integerAtLeast,
  nonEmptyString,
  oneOf,
  resolveBrokerConfig,
  stripUndefined,
  type BrokerBusConfig,
  type ResolvedBrokerBusConfig,
} from '../broker/broker.config.js';

export type KafkaSecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type KafkaSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export type KafkaAcks = 'all' | -1 | 1 | 0;

/** KafkaEventBus settings: the shared broker keys plus eventsource-py's Kafka keys in camelCase. */
export interface KafkaEventBusConfig extends BrokerBusConfig {
  /** `host:port`, a comma-separated list of them, or an array. */
  bootstrapServers?: string | string[];
  /** Events go to `{topicPrefix}.stream`, dead letters to `{topicPrefix}.stream.dlq`. */
  topicPrefix?: string;
  clientId?: string;
  /** 'all' (= -1) waits for every in-sync replica; 1 for the leader only; 0 for nothing. */
  acks?: KafkaAcks;
  compressionType?: 'gzip' | 'none';
  /** Where a consumer group without committed offsets starts. */
  autoOffsetReset?: 'earliest' | 'latest';
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long the group waits for members to rejoin during a rebalance. */
  rebalanceTimeoutMs?: number;
  /** Partitions of the event topic when the bus creates it (per-aggregate order needs key → partition). */
  partitions?: number;
  replicationFactor?: number;
  /** Create missing topics on connect (clusters that forbid it: create them yourself and set false). */
  createTopics?: boolean;
  /** How long one TCP/TLS connection attempt may take. */
  connectionTimeoutMs?: number;
  /** How long one Kafka request may take. */
  requestTimeoutMs?: number;
  securityProtocol?: KafkaSecurityProtocol;
  saslMechanism?: KafkaSaslMechanism;
  saslUsername?: string;
  saslPassword?: string;
  /** TLS options (ca, cert, key, rejectUnauthorized, ...) for SSL and SASL_SSL. */
  ssl?: TlsOptions;
}

export interface ResolvedKafkaEventBusConfig extends ResolvedBrokerBusConfig {
  brokers: string[];
  topicPrefix: string;
  clientId: string;
  acks: -1 | 1 | 0;
  compressionType: 'gzip' | 'none';
  autoOffsetReset: 'earliest' | 'latest';
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  partitions: number;
  replicationFactor: number;
  createTopics: boolean;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  securityProtocol: KafkaSecurityProtocol;
  saslMechanism: KafkaSaslMechanism | undefined;
  saslUsername: string | undefined;
  saslPassword: string | undefined;
  ssl: TlsOptions | undefined;
  /** `{topicPrefix}.stream` */
  topic: string;
  /** `{topic}.dlq` */
  dlqTopic: string;
  /** `{topic}.dlq.replayed`: compacted record of dead letters replayed successfully. */
  replayedTopic: string;
}

export const KAFKA_DEFAULTS = {
  bootstrapServers: 'localhost:9092',
  topicPrefix: 'events',
  clientId: 'nestjs-eventsource',
  acks: 'all',
  compressionType: 'gzip',
  autoOffsetReset: 'earliest',
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 60_000,
  partitions: 6,
  replicationFactor: 1,
  createTopics: true,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  securityProtocol: 'PLAINTEXT',
} as const;

const KAFKA_KEYS = [
  'bootstrapServers',
  'topicPrefix',
  'clientId',
  'acks',
  'compressionType',
  'autoOffsetReset',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'rebalanceTimeoutMs',
  'partitions',
  'replicationFactor',
  'createTopics',
  'connectionTimeoutMs',
  'requestTimeoutMs',
  'securityProtocol',
  'saslMechanism',
  'saslUsername',
  'saslPassword',
  'ssl',
] as const;

const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
const SASL_PROTOCOLS = ['SASL_PLAINTEXT', 'SASL_SSL'];
const TLS_PROTOCOLS = ['SSL', 'SASL_SSL'];
/** Kafka's legal topic characters; the longest derived name must stay under 249 characters. */
const TOPIC_CHARS = /^[A-Za-z0-9._-]+$/;

/** Applies defaults and validates; throws ConfigurationError naming the key (never showing a password). */
export function resolveKafkaConfig(config: KafkaEventBusConfig = {}): ResolvedKafkaEventBusConfig {
  if (config === null || typeof config !== 'object') throw new ConfigurationError('config', config, 'an object');
  const shared: Record<string, unknown> = { ...config };
  for (const key of KAFKA_KEYS) delete shared[key];
  const base = resolveBrokerConfig(shared as BrokerBusConfig);
  const own = { ...KAFKA_DEFAULTS, ...stripUndefined(pick(config)) };

  const brokers = parseBootstrapServers(own.bootstrapServers);
  nonEmptyString('topicPrefix', own.topicPrefix);
  if (!TOPIC_CHARS.test(own.topicPrefix) || own.topicPrefix.length > 220) {
    throw new ConfigurationError('topicPrefix', own.topicPrefix, 'at most 220 characters from [A-Za-z0-9._-] (Kafka topic names)');
  }
  nonEmptyString('clientId', own.clientId);
  if (!['all', -1, 1, 0].includes(own.acks as never)) throw new ConfigurationError('acks', own.acks, "'all', -1, 1 or 0");
  oneOf('compressionType', own.compressionType, ['gzip', 'none']);
  oneOf('autoOffsetReset', own.autoOffsetReset, ['earliest', 'latest']);
  integerAtLeast('sessionTimeoutMs', own.sessionTimeoutMs, 1);
  integerAtLeast('heartbeatIntervalMs', own.heartbeatIntervalMs, 1);
  if (own.heartbeatIntervalMs >= own.sessionTimeoutMs) {
    throw new ConfigurationError(
      'heartbeatIntervalMs',
      own.heartbeatIntervalMs,
      `an integer below sessionTimeoutMs (${own.sessionTimeoutMs}), ideally a third of it`,
    );
  }
  integerAtLeast('rebalanceTimeoutMs', own.rebalanceTimeoutMs, 1);
  integerAtLeast('partitions', own.partitions, 1);
  integerAtLeast('replicationFactor', own.replicationFactor, 1);
  if (typeof own.createTopics !== 'boolean') throw new ConfigurationError('createTopics', own.createTopics, 'true or false');
  integerAtLeast('connectionTimeoutMs', own.connectionTimeoutMs, 1);
  integerAtLeast('requestTimeoutMs', own.requestTimeoutMs, 1);
  validateSecurity(own);

  const topic = `${own.topicPrefix}.stream`;
  return {
    ...base,
    brokers,
    topicPrefix: own.topicPrefix,
    clientId: own.clientId,
    acks: own.acks === 'all' ? -1 : own.acks,
    compressionType: own.compressionType,
    autoOffsetReset: own.autoOffsetReset,
    sessionTimeoutMs: own.sessionTimeoutMs,
    heartbeatIntervalMs: own.heartbeatIntervalMs,
    rebalanceTimeoutMs: own.rebalanceTimeoutMs,
    partitions: own.partitions,
    replicationFactor: own.replicationFactor,
    createTopics: own.createTopics,
    connectionTimeoutMs: own.connectionTimeoutMs,
    requestTimeoutMs: own.requestTimeoutMs,
    securityProtocol: own.securityProtocol,
    saslMechanism: own.saslMechanism,
    saslUsername: own.saslUsername,
    saslPassword: own.saslPassword,
    ssl: own.ssl,
    topic,
    dlqTopic: `${topic}.dlq`,
    replayedTopic: `${topic}.dlq.replayed`,
  };
}

/** `'a:9092, b'` → `['a:9092', 'b:9092']`. */
export function parseBootstrapServers(value: unknown): string[] {
  const expected = "'host:port', a comma-separated list of them, or an array of them";
  const brokers =
    typeof value === 'string'
      ? value
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry.length > 0)
      : Array.isArray(value) && value.every((entry) => typeof entry === 'string')
        ? value.map((entry: string) => entry.trim())
        : [];
  if (brokers.length === 0) throw new ConfigurationError('bootstrapServers', value, expected);
  return brokers.map((broker) => {
    const match = /^(\[[0-9a-f:.]+\]|[^\s:/@]+)(?::(\d{1,5}))?$/i.exec(broker);
    const port = match?.[2] === undefined ? 9092 : Number(match[2]);
    if (!match || port < 1 || port > 65_535) throw new ConfigurationError('bootstrapServers', value, expected);
    return `${match[1]}:${port}`;
  });
}

type OwnKeys = Pick<KafkaEventBusConfig, (typeof KAFKA_KEYS)[number]>;

function validateSecurity(own: OwnKeys & { securityProtocol: KafkaSecurityProtocol }): void {
  const protocol = own.securityProtocol;
  oneOf('securityProtocol', protocol, ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);
  const usesSasl = SASL_PROTOCOLS.includes(protocol);
  if (usesSasl) {
    if (own.saslMechanism === undefined) {
      throw new ConfigurationError(
        'saslMechanism',
        undefined,
        `one of ${SASL_MECHANISMS.join(', ')} (saslMechanism is required when securityProtocol is ${protocol})`,
      );
    }
    oneOf('saslMechanism', own.saslMechanism, SASL_MECHANISMS);
    if (typeof own.saslUsername !== 'string' || own.saslUsername.length === 0) {
      throw new ConfigurationError(
        'saslUsername',
        own.saslUsername,
        `a non-empty string (saslUsername is required when securityProtocol is ${protocol})`,
      );
    }
    if (typeof own.saslPassword !== 'string' || own.saslPassword.length === 0) {
      // The value is never shown: it may be a real secret with a typo.
      throw new ConfigurationError(
        'saslPassword',
        '(hidden)',
        `a non-empty string (saslPassword is required when securityProtocol is ${protocol})`,
      );
    }
  } else {
    for (const key of ['saslMechanism', 'saslUsername', 'saslPassword'] as const) {
      if (own[key] !== undefined) {
        throw new ConfigurationError('securityProtocol', protocol, `'SASL_PLAINTEXT' or 'SASL_SSL' when ${key} is set`);
      }
    }
  }
  if (own.ssl !== undefined) {
    if (own.ssl === null || typeof own.ssl !== 'object' || Array.isArray(own.ssl)) {
      // Only the kind is shown: a misplaced private key must not end up in a log.
      throw new ConfigurationError('ssl', `(${Array.isArray(own.ssl) ? 'array' : typeof own.ssl})`, 'an object of TLS options');
    }
    if (!TLS_PROTOCOLS.includes(protocol)) {
      throw new ConfigurationError('securityProtocol', protocol, "'SSL' or 'SASL_SSL' when ssl options are given");
    }
  }
}

function pick(config: KafkaEventBusConfig): OwnKeys {
  const picked: Record<string, unknown> = {};
  for (const key of KAFKA_KEYS) picked[key] = config[key];
  return picked as OwnKeys;
}
