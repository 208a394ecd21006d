import { Redis } from 'ioredis';
import { requireBroker } from '../../support/broker-available.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when Redis answers PING; false skips the suite locally, CI=true turns it into a failure. */
export function redisAvailable(): Promise<boolean> {
  return requireBroker('Redis', async () => {
    const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  });
}

/** A plain client for what tests do behind the bus's back (raw XADDs, inspection, cleanup). */
export class RedisTestClient {
  private client?: Redis;

  get redis(): Redis {
    this.client ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
    return this.client;
  }

  /** XADD with the given fields (in order), then `payload`: what a foreign producer would write. */
  async injectRaw(prefix: string, body: string, fields: Record<string, string>): Promise<string> {
    const pairs = Object.entries(fields).flat();
    return (await this.redis.xadd(`${prefix}:stream`, '*', ...pairs, 'payload', body)) as string;
  }

  async cleanup(prefixes: string[]): Promise<void> {
    if (prefixes.length > 0) {
      const keys = prefixes.flatMap((prefix) => [`${prefix}:stream`, `${prefix}:stream_dlq`]);
      await this.redis.del(...keys);
    }
    await this.close();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.quit().catch(() => client.disconnect());
  }
}
