import { RedisEventBus } from '../../../lib/index.js';
import { brokerBusContract } from '../../contract/broker-bus.contract.js';
import { REDIS_URL, RedisTestClient, redisAvailable } from './redis-test-utils.js';

const available = await redisAvailable();
const raw = new RedisTestClient();

brokerBusContract(
  'RedisEventBus',
  ({ group, consumerName, prefix, config, logger }) =>
    new RedisEventBus({ redisUrl: REDIS_URL, streamPrefix: prefix, consumerGroup: group, consumerName, ...config }, { logger }),
  {
    skip: !available,
    injectRaw: async (prefix, body, fields) => void (await raw.injectRaw(prefix, body, fields)),
    cleanup: (prefixes) => raw.cleanup(prefixes),
  },
);
