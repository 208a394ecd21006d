import { describe, expect, it } from 'vitest';
import { RetryPolicy } from '../../lib/bus/broker/retry-policy.js';
import { resolveBrokerConfig } from '../../lib/bus/broker/broker.config.js';
import { ConfigurationError } from '../../lib/index.js';

describe('RetryPolicy', () => {
  const config = { maxRetries: 3, retryBaseDelayMs: 1000, retryMaxDelayMs: 60_000, retryJitter: 0 };

  it('doubles the delay per attempt and caps it', () => {
    const policy = new RetryPolicy({ ...config, retryMaxDelayMs: 5000 });
    expect([1, 2, 3, 4, 5].map((a) => policy.delayAfter(a))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('retries up to maxRetries times after the first attempt', () => {
    const policy = new RetryPolicy(config);
    expect([1, 2, 3, 4].map((a) => policy.willRetry(a))).toEqual([true, true, true, false]);
  });

  it('spreads delays by the jitter fraction', () => {
    const low = new RetryPolicy({ ...config, retryJitter: 0.1 }, () => 0);
    const high = new RetryPolicy({ ...config, retryJitter: 0.1 }, () => 0.999999);
    expect(low.delayAfter(1)).toBe(900);
    expect(high.delayAfter(1)).toBe(1100);
  });
});

describe('resolveBrokerConfig', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveBrokerConfig({ consumerGroup: 'g' });
    expect(resolved).toMatchObject({
      consumerGroup: 'g',
      concurrency: 16,
      maxRetries: 3,
      retryBaseDelayMs: 1000,
      retryMaxDelayMs: 60_000,
      retryJitter: 0.1,
      handlerTimeoutMs: 30_000,
      publishTimeoutMs: 10_000,
      maxPayloadBytes: 1024 * 1024,
      enableDlq: true,
      onUnknownEventType: 'dlq',
    });
    expect(resolved.consumerName).toMatch(/-[0-9a-f]{8}$/);
  });

  it.each([
    [{ concurrency: 0 }, 'concurrency'],
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ retryJitter: 2 }, 'retryJitter'],
    [{ retryBaseDelayMs: 500, retryMaxDelayMs: 100 }, 'retryMaxDelayMs'],
    [{ onUnknownEventType: 'drop' }, 'onUnknownEventType'],
    [{ consumerGroup: '' }, 'consumerGroup'],
  ])('rejects %o naming %s', (bad, key) => {
    try {
      resolveBrokerConfig(bad as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).key).toBe(key);
      expect((error as Error).message).toContain(key);
    }
  });
});
