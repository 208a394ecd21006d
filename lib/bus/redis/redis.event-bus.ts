import { BrokerEventBus, type BrokerBusOptions } from '../broker/broker.event-bus.js';
import { resolveRedisConfig, type RedisEventBusConfig, type ResolvedRedisEventBusConfig } from './redis-event-bus.config.js';
import type { RedisStreamInfo } from './redis-stream-info.js';
import { RedisTransport } from './redis.transport.js';

export type { RedisConsumerGroupInfo, RedisStreamInfo } from './redis-stream-info.js';

/**
 * Event bus on Redis Streams (design §5): events in `{streamPrefix}:stream`, consumer groups,
 * dead letters in `{streamPrefix}:stream_dlq`, wire-compatible with eventsource-py.
 * Needs the optional peer `ioredis`, loaded on first connect.
 *
 *   const bus = new RedisEventBus({ redisUrl: 'redis://localhost:6379', consumerGroup: 'orders' });
 */
export class RedisEventBus extends BrokerEventBus<ResolvedRedisEventBusConfig> {
  constructor(config: RedisEventBusConfig = {}, options: BrokerBusOptions = {}) {
    const resolved = resolveRedisConfig(config);
    super(resolved, (context) => new RedisTransport(resolved, context), options);
  }

  /** Stream length, groups, pending entries of this group, last id, and the DLQ length. */
  async getStreamInfo(): Promise<RedisStreamInfo> {
    await this.connect();
    return (this.transport as RedisTransport).streamInfo();
  }
}
