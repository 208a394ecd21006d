import { describe, expect, it } from 'vitest';
import {
  BrokerConnectionError,
  ConfigurationError,
  KafkaEventBus,
  parseBootstrapServers,
  resolveKafkaConfig,
  type KafkaEventBusConfig,
} from '../../../lib/index.js';
import { quietLogger } from './kafka-test-utils.js';

function configError(config: KafkaEventBusConfig): ConfigurationError {
  try {
    new KafkaEventBus(config, { logger: quietLogger() });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error(`expected a ConfigurationError for ${JSON.stringify(config)}`);
}

describe('KafkaEventBus configuration', () => {
  it('applies the documented defaults and derives the topic names', () => {
    const config = resolveKafkaConfig({});
    expect(config).toMatchObject({
      brokers: ['localhost:9092'],
      topicPrefix: 'events',
      topic: 'events.stream',
      dlqTopic: 'events.stream.dlq',
      replayedTopic: 'events.stream.dlq.replayed',
      consumerGroup: 'default',
      acks: -1,
      compressionType: 'gzip',
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
      partitions: 6,
      replicationFactor: 1,
      securityProtocol: 'PLAINTEXT',
      maxRetries: 3,
      concurrency: 16,
    });
    expect(resolveKafkaConfig({ topicPrefix: 'shop', acks: 1 })).toMatchObject({
      topic: 'shop.stream',
      dlqTopic: 'shop.stream.dlq',
      acks: 1,
    });
  });

  it('accepts bootstrap servers as a comma list or an array, adding the default port', () => {
    expect(parseBootstrapServers('a:9093, b ,[::1]:9094')).toEqual(['a:9093', 'b:9092', '[::1]:9094']);
    expect(parseBootstrapServers(['127.0.0.1:9092'])).toEqual(['127.0.0.1:9092']);
    for (const bad of ['', ' , ', 'a:99999', 'kafka://a:9092', 42, ['a', 7]]) {
      expect(configError({ bootstrapServers: bad as never }).key).toBe('bootstrapServers');
    }
  });

  it('rejects bad values naming the key, the value and what was expected', () => {
    const cases: Array<[KafkaEventBusConfig, string]> = [
      [{ topicPrefix: '' }, 'topicPrefix'],
      [{ topicPrefix: 'has space' }, 'topicPrefix'],
      [{ acks: 'some' as never }, 'acks'],
      [{ compressionType: 'snappy' as never }, 'compressionType'],
      [{ autoOffsetReset: 'none' as never }, 'autoOffsetReset'],
      [{ partitions: 0 }, 'partitions'],
      [{ replicationFactor: 1.5 }, 'replicationFactor'],
      [{ sessionTimeoutMs: 10_000, heartbeatIntervalMs: 10_000 }, 'heartbeatIntervalMs'],
      [{ createTopics: 'yes' as never }, 'createTopics'],
      [{ securityProtocol: 'TLS' as never }, 'securityProtocol'],
      [{ maxRetries: -1 }, 'maxRetries'],
      [{ consumerGroup: '' }, 'consumerGroup'],
    ];
    for (const [config, key] of cases) {
      const error = configError(config);
      expect(error.key).toBe(key);
      expect(error.message).toContain(key);
    }
    expect(configError({ acks: 'some' as never }).message).toBe(`Invalid configuration: acks = "some"; expected 'all', -1, 1 or 0.`);
  });

  it('requires a SASL mechanism and credentials for SASL protocols', () => {
    const missing = configError({ securityProtocol: 'SASL_SSL' });
    expect(missing.key).toBe('saslMechanism');
    expect(missing.message).toContain('saslMechanism is required when securityProtocol is SASL_SSL');
    expect(configError({ securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'GSSAPI' as never }).key).toBe('saslMechanism');
    expect(configError({ securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN' }).key).toBe('saslUsername');
    expect(configError({ securityProtocol: 'SASL_SSL', saslMechanism: 'SCRAM-SHA-512', saslUsername: 'svc' }).key).toBe('saslPassword');
    // SASL settings without a SASL protocol, TLS options without a TLS protocol: a likely mistake.
    expect(configError({ saslMechanism: 'PLAIN', saslUsername: 'svc', saslPassword: 'pw' }).key).toBe('securityProtocol');
    expect(
      configError({ securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'PLAIN', saslUsername: 'u', saslPassword: 'p', ssl: {} }).key,
    ).toBe('securityProtocol');
    const misplacedKey = configError({ securityProtocol: 'SSL', ssl: '-----BEGIN PRIVATE KEY-----' as never });
    expect(misplacedKey.key).toBe('ssl');
    expect(misplacedKey.message).not.toContain('PRIVATE KEY');
    const ok = resolveKafkaConfig({
      securityProtocol: 'SASL_SSL',
      saslMechanism: 'SCRAM-SHA-256',
      saslUsername: 'svc',
      saslPassword: 'pw',
      ssl: { rejectUnauthorized: true },
    });
    expect(ok).toMatchObject({ securityProtocol: 'SASL_SSL', saslMechanism: 'SCRAM-SHA-256' });
  });

  it('never shows a SASL password in errors, health or stats', async () => {
    const secret = 's3cr3t-passw0rd';
    const logger = quietLogger();
    const bus = new KafkaEventBus(
      {
        bootstrapServers: '127.0.0.1:1',
        securityProtocol: 'SASL_PLAINTEXT',
        saslMechanism: 'PLAIN',
        saslUsername: 'svc',
        saslPassword: secret,
        connectionTimeoutMs: 200,
        publishTimeoutMs: 2_000,
      },
      { logger },
    );
    const error = await bus.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect((error as BrokerConnectionError).retriable).toBe(true);
    const health = await bus.healthCheck();
    expect(health).toMatchObject({ healthy: false, status: 'unhealthy' });
    const seen = JSON.stringify([String(error), (error as Error).stack, health, bus.getStats(), logger.lines]);
    expect(seen).not.toContain(secret);
    await bus.shutdown();
  }, 30_000);
});
