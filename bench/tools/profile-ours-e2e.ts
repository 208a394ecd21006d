import 'reflect-metadata';
import { endToEnd } from '../broker/drivers.js';
import { kafkaLocation, oursKafka } from '../broker/kafka.contenders.js';
import { oursRabbit } from '../broker/rabbitmq.contenders.js';
import { oursRedis } from '../broker/redis.contenders.js';
import type { OurBrokerBusClass } from '../broker/session.js';
import { makeEvents } from '../harness/events.js';

/**
 * End-to-end run of one of our broker buses alone, to profile it:
 *   node --cpu-prof --cpu-prof-dir=bench/results --import @swc-node/register/esm-register \
 *     bench/tools/profile-ours-e2e.ts redis 20000
 *   node --import @swc-node/register/esm-register bench/tools/cpu-profile-top.ts bench/results/<file>.cpuprofile
 */
const [broker = 'redis', countArg = '20000'] = process.argv.slice(2);
const lib = await import('../../lib/index.js');
const contender =
  broker === 'redis'
    ? oursRedis(lib.RedisEventBus as unknown as OurBrokerBusClass)
    : broker === 'rabbitmq'
      ? oursRabbit(lib.RabbitMQEventBus as unknown as OurBrokerBusClass)
      : oursKafka(lib.KafkaEventBus as unknown as OurBrokerBusClass);
void kafkaLocation;
const events = makeEvents(Number(countArg), 500);
const rate = await endToEnd(contender, events, 600_000);
console.log(`${contender.name}: ${Math.round(rate)} events/s end-to-end`);
