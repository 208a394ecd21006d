import { describe, expect, it } from 'vitest';
import { BrokerConnectionError, ConfigurationError, RabbitMQEventBus, resolveRabbitMQConfig } from '../../../lib/index.js';
import { quietLogger } from './rabbitmq-fixtures.js';

describe('RabbitMQEventBus configuration', () => {
  it('applies the documented defaults', () => {
    const config = resolveRabbitMQConfig({ concurrency: 8 });
    expect(config).toMatchObject({
      rabbitmqUrl: 'amqp://guest:guest@localhost:5672/',
      exchangeName: 'events',
      exchangeType: 'topic',
      routingKeyPattern: undefined,
      prefetchCount: 16,
      durable: true,
      autoDelete: false,
      heartbeatMs: 60_000,
      batchSize: 100,
      confirmWindow: 500,
      consumerGroup: 'default',
      maxRetries: 3,
      publishTimeoutMs: 10_000,
    });
  });

  it.each([
    ['rabbitmqUrl', { rabbitmqUrl: 'http://example.com' }],
    ['exchangeName', { exchangeName: '' }],
    ['exchangeType', { exchangeType: 'x-consistent-hash' }],
    ['routingKeyPattern', { exchangeType: 'fanout', routingKeyPattern: 'Order.*' }],
    ['prefetchCount', { prefetchCount: 0 }],
    ['prefetchCount', { prefetchCount: 70_000 }],
    ['durable', { durable: 'yes' }],
    ['heartbeatMs', { heartbeatMs: -1 }],
    ['batchSize', { batchSize: 1.5 }],
    ['confirmWindow', { confirmWindow: 0 }],
    ['reconnectMaxDelayMs', { reconnectBaseDelayMs: 500, reconnectMaxDelayMs: 100 }],
    ['socketOptions', { socketOptions: 'tls' }],
    ['concurrency', { concurrency: 0 }],
  ])('rejects a bad %s at construction', (key, config) => {
    const error = (() => {
      try {
        new RabbitMQEventBus(config as never);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ key });
  });

  it('never shows the password of a bad URL', () => {
    const error = (() => {
      try {
        resolveRabbitMQConfig({ rabbitmqUrl: 'rabbit://app:s3cret@host' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error?.message).not.toContain('s3cret');
  });

  it('fails to connect to an unreachable broker with BrokerConnectionError, the URL redacted', async () => {
    const logger = quietLogger();
    const bus = new RabbitMQEventBus({ rabbitmqUrl: 'amqp://app:s3cret@127.0.0.1:1/' }, { logger });
    const error = await bus.connect().catch((caught: unknown) => caught as BrokerConnectionError);
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error).toMatchObject({ retriable: true });
    expect((error as Error).message).toContain('amqp://app:***@127.0.0.1:1/');
    expect((error as Error).message).not.toContain('s3cret');
    const health = await bus.healthCheck();
    expect(health).toMatchObject({ healthy: false, status: 'unhealthy' });
    expect(JSON.stringify(health)).not.toContain('s3cret');
    await bus.shutdown();
    expect(logger.lines.join('\n')).not.toContain('s3cret');
  });
});
