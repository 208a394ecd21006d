import { randomUUID } from 'node:crypto';
import { nestBrokerScenario } from '../support/nest-broker-scenario.js';
import { REDIS_URL, RedisTestClient, redisAvailable } from '../integration/redis/redis-test-utils.js';

const prefix = `e2e-nest-${randomUUID().slice(0, 8)}`;

nestBrokerScenario('Redis', await redisAvailable(), {
  transport: (consumerGroup, consume) => ({
    type: 'redis',
    consumerGroup,
    consume,
    redisUrl: REDIS_URL,
    streamPrefix: prefix,
    blockMs: 200,
  }),
  cleanup: () => new RedisTestClient().cleanup([prefix]),
});
