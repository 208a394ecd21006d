import { randomUUID } from 'node:crypto';
import { nestBrokerScenario } from '../support/nest-broker-scenario.js';
import { FAST_GROUP, KAFKA_BROKERS, KafkaTestClient, useKafkaBroker } from '../integration/kafka/kafka-test-utils.js';

const topicPrefix = `e2e-nest-${randomUUID().slice(0, 8)}`;

nestBrokerScenario('Kafka', await useKafkaBroker(), {
  transport: (consumerGroup, consume) => ({
    type: 'kafka',
    consumerGroup,
    consume,
    bootstrapServers: KAFKA_BROKERS,
    topicPrefix,
    partitions: 2,
    ...FAST_GROUP,
  }),
  cleanup: async () => {
    const client = new KafkaTestClient();
    try {
      await client.deleteTopics([topicPrefix]);
    } finally {
      await client.close();
    }
  },
  timeoutMs: 120_000,
});
