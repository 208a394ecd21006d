import { randomUUID } from 'node:crypto';
import { nestBrokerScenario } from '../support/nest-broker-scenario.js';
import { RABBITMQ_URL, deleteTopology, rabbitAvailable } from '../integration/rabbitmq/rabbitmq-fixtures.js';

const exchangeName = `e2e-nest-${randomUUID().slice(0, 8)}`;

nestBrokerScenario('RabbitMQ', await rabbitAvailable(), {
  transport: (consumerGroup, consume) => ({ type: 'rabbitmq', consumerGroup, consume, rabbitmqUrl: RABBITMQ_URL, exchangeName }),
  cleanup: (groups) => deleteTopology(exchangeName, groups),
});
