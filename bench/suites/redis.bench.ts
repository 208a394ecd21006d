import { runBrokerSuite } from '../broker/broker-suite.js';
import { loadBusClass } from '../broker/load-bus.js';
import type { OurBrokerBusClass } from '../broker/session.js';
import { bullmq, oursRedis, rawIoredis, redisLocation } from '../broker/redis.contenders.js';
import type { BenchSuite } from '../harness/suite.js';

export const redisSuite: BenchSuite = {
  name: 'redis',
  title: 'Redis Streams: RedisEventBus vs raw ioredis vs BullMQ',
  run() {
    const { host, port } = redisLocation();
    return runBrokerSuite({
      suite: 'redis',
      title: this.title,
      broker: 'Redis',
      host,
      port,
      async contenders() {
        const RedisEventBus = await loadBusClass<OurBrokerBusClass>('RedisEventBus', '../../lib/bus/redis/redis.event-bus.js');
        return RedisEventBus ? [oursRedis(RedisEventBus), rawIoredis(), bullmq()] : undefined;
      },
    });
  },
};
