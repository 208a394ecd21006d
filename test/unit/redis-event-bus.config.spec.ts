import { describe, expect, it } from 'vitest';
import { ConfigurationError, RedisEventBus, resolveRedisConfig } from '../../lib/index.js';

describe('RedisEventBus configuration', () => {
  it('applies the defaults and derives the stream names from streamPrefix, used exactly', () => {
    const config = resolveRedisConfig({ streamPrefix: 'Shop.Orders', consumerGroup: 'billing' });
    expect(config).toMatchObject({
      redisUrl: 'redis://localhost:6379',
      batchSize: 100,
      blockMs: 5_000,
      pendingIdleMs: 120_000,
      claimIntervalMs: 30_000,
      maxLen: undefined,
      enableDlq: true,
      consumerGroup: 'billing',
      streamName: 'Shop.Orders:stream',
      dlqStreamName: 'Shop.Orders:stream_dlq',
    });
    expect(resolveRedisConfig().streamName).toBe('events:stream');
  });

  it('requires pendingIdleMs to exceed retryMaxDelayMs + handlerTimeoutMs', () => {
    expect(() => resolveRedisConfig({ pendingIdleMs: 60_000, handlerTimeoutMs: 30_000, retryMaxDelayMs: 30_000 })).toThrow(
      /pendingIdleMs = 60000; expected an integer > retryMaxDelayMs \+ handlerTimeoutMs \(60000\)/,
    );
    expect(
      resolveRedisConfig({ pendingIdleMs: 1_500, handlerTimeoutMs: 1_000, retryBaseDelayMs: 20, retryMaxDelayMs: 200 }).pendingIdleMs,
    ).toBe(1_500);
  });

  it.each([
    [{ redisUrl: 'http://localhost' }, 'redisUrl'],
    [{ streamPrefix: '' }, 'streamPrefix'],
    [{ batchSize: 0 }, 'batchSize'],
    [{ blockMs: 1.5 }, 'blockMs'],
    [{ claimIntervalMs: 1 }, 'claimIntervalMs'],
    [{ maxLen: 0 }, 'maxLen'],
    [{ redisOptions: 'x' }, 'redisOptions'],
    [{ concurrency: 0 }, 'concurrency'],
  ])('rejects %j naming the key', (config, key) => {
    const attempt = () => new RedisEventBus(config as never);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(expect.objectContaining({ key }));
  });

  it('never echoes a bad password value', () => {
    expect(() => resolveRedisConfig({ password: 42 as never })).toThrow(expect.objectContaining({ key: 'password', value: '(hidden)' }));
  });

  it('builds without ioredis being loaded: the client is imported on connect', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const dir = new URL('../../lib/bus/redis/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      for (const line of source.split('\n').filter((l) => /from 'ioredis'/.test(l))) expect(line).toMatch(/^import type /);
    }
  });
});
