import { KafkaEventBus } from '../../../lib/index.js';
import { brokerBusContract } from '../../contract/broker-bus.contract.js';
import { FAST_GROUP, KAFKA_BROKERS, KafkaTestClient, useKafkaBroker } from './kafka-test-utils.js';

const available = await useKafkaBroker();
const raw = new KafkaTestClient();

brokerBusContract(
  'KafkaEventBus',
  ({ group, consumerName, prefix, config, logger }) =>
    new KafkaEventBus(
      { bootstrapServers: KAFKA_BROKERS, topicPrefix: prefix, consumerGroup: group, consumerName, partitions: 3, ...FAST_GROUP, ...config },
      { logger },
    ),
  {
    skip: !available,
    // Group joins and topic creation make Kafka slower than the other brokers.
    waitMs: 20_000,
    injectRaw: async (prefix, body, fields) =>
      raw.produceRaw(`${prefix}.stream`, { key: fields.aggregate_id ?? null, value: body, headers: fields }),
    cleanup: async (prefixes) => {
      await raw.deleteTopics(prefixes);
      await raw.close();
    },
  },
);
