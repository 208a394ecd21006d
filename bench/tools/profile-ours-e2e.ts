import 'reflect-metadata';
import { endToEnd } from '../broker/drivers.js';
import { kafkaLocation, oursKafka, type KafkaBusClass } from '../broker/kafka.contenders.js';
import { oursRabbit, type RabbitBusClass } from '../broker/rabbitmq.contenders.js';
import { oursRedis, type RedisBusClass } from '../broker/redis.contenders.js';
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
    ? oursRedis(lib.RedisEventBus as unknown as RedisBusClass)
    : broker === 'rabbitmq'
      ? oursRabbit(lib.RabbitMQEventBus as unknown as RabbitBusClass)
      : oursKafka(lib.KafkaEventBus as unknown as KafkaBusClass);
void kafkaLocation;
const events = makeEvents(Number(countArg), 500);
const rate = await endToEnd(contender, events, 600_000);
console.log(`${contender.name}: ${Math.round(rate)} events/s end-to-end`);
