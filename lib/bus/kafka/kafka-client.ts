import type * as KafkaJs from 'kafkajs';
import { loadPackage } from '../../utils/load-package.util.js';
import type { EventSourcingLogger } from '../../utils/logger.util.js';
import type { ResolvedKafkaEventBusConfig } from './kafka-event-bus.config.js';

/** The parts of the kafkajs module the bus uses (loaded on first connect, so kafkajs stays optional). */
export interface KafkaJsModule {
  Kafka: typeof KafkaJs.Kafka;
  CompressionTypes: typeof KafkaJs.CompressionTypes;
  Partitioners: typeof KafkaJs.Partitioners;
  logLevel: typeof KafkaJs.logLevel;
}

export async function loadKafkaJs(): Promise<KafkaJsModule> {
  const mod = await loadPackage('kafkajs', 'KafkaEventBus', () => import('kafkajs'));
  // kafkajs is CommonJS: its exports sit on `default` in some loaders and on the namespace in others.
  return ((mod as { default?: KafkaJsModule }).default ?? mod) as KafkaJsModule;
}

/** One kafkajs client per bus; producer, consumers and admin share its settings. */
export function createKafkaClient(kafkajs: KafkaJsModule, config: ResolvedKafkaEventBusConfig, logger: EventSourcingLogger): KafkaJs.Kafka {
  return new kafkajs.Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    ssl: sslOption(config),
    sasl: saslOption(config),
    // Short client-level retries: the bus owns the long-running recovery (restart with backoff).
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 5 },
    logLevel: kafkajs.logLevel.WARN,
    logCreator: (level) => kafkaLogSink(kafkajs, logger, level),
  });
}

function sslOption(config: ResolvedKafkaEventBusConfig): KafkaJs.KafkaConfig['ssl'] {
  if (config.securityProtocol !== 'SSL' && config.securityProtocol !== 'SASL_SSL') return undefined;
  return config.ssl ?? true;
}

function saslOption(config: ResolvedKafkaEventBusConfig): KafkaJs.SASLOptions | undefined {
  if (config.securityProtocol !== 'SASL_PLAINTEXT' && config.securityProtocol !== 'SASL_SSL') return undefined;
  const credentials = { username: config.saslUsername as string, password: config.saslPassword as string };
  switch (config.saslMechanism) {
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', ...credentials };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', ...credentials };
    default:
      return { mechanism: 'plain', ...credentials };
  }
}

/** Routes kafkajs's own log lines to the bus logger (never stdout), one level lower. */
function kafkaLogSink(kafkajs: KafkaJsModule, logger: EventSourcingLogger, _level: number) {
  return ({ namespace, level, log }: KafkaJs.LogEntry): void => {
    const {
      message,
      timestamp: _t,
      logger: _l,
      ...extra
    } = log as { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
    const detail = Object.entries(extra)
      .filter(([key, value]) => value !== undefined && key !== 'stack')
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : safeJson(value)}`)
      .join(' ');
    const line = `kafkajs ${namespace}: ${message}${detail ? ` (${detail})` : ''}`;
    // kafkajs reports every failed request as an error, rebalances included, and retries them
    // itself; what the bus cannot recover from, it logs as an error on its own.
    if (level === kafkajs.logLevel.ERROR) logger.warn(line);
    else logger.debug?.(line);
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
