import amqp from 'amqplib';
import { RabbitMQEventBus } from '../../../lib/index.js';
import { brokerBusContract } from '../../contract/broker-bus.contract.js';
import { RABBITMQ_URL, rabbitAvailable } from './rabbitmq-fixtures.js';

const available = await rabbitAvailable();

/** Consumer groups made under each prefix (exchange), to reach and delete their queues. */
const groupsByPrefix = new Map<string, Set<string>>();

async function withChannel(work: (channel: amqp.ConfirmChannel) => Promise<void>): Promise<void> {
  const connection = await amqp.connect(RABBITMQ_URL);
  try {
    const channel = await connection.createConfirmChannel();
    await work(channel);
    await channel.close();
  } finally {
    await connection.close();
  }
}

brokerBusContract(
  'RabbitMQEventBus',
  ({ group, consumerName, prefix, config, logger }) => {
    if (!groupsByPrefix.has(prefix)) groupsByPrefix.set(prefix, new Set());
    groupsByPrefix.get(prefix)!.add(group);
    return new RabbitMQEventBus(
      { rabbitmqUrl: RABBITMQ_URL, exchangeName: prefix, consumerGroup: group, consumerName, ...config },
      { logger },
    );
  },
  {
    skip: !available,
    // Queues are bound per subscribed type, so a message with an unknown type (or none) never
    // reaches them through the topic exchange; a foreign producer writes to the queues directly.
    injectRaw: (prefix, body, fields) =>
      withChannel(async (channel) => {
        for (const group of groupsByPrefix.get(prefix) ?? []) {
          channel.sendToQueue(`${prefix}.${group}`, Buffer.from(body, 'utf8'), {
            persistent: true,
            contentType: 'application/json',
            messageId: fields.event_id,
            headers: { ...fields, 'x-retry-count': 0 },
          });
        }
        await channel.waitForConfirms();
      }),
    cleanup: (prefixes) =>
      withChannel(async (channel) => {
        for (const prefix of prefixes) {
          for (const group of groupsByPrefix.get(prefix) ?? []) {
            await channel.deleteQueue(`${prefix}.${group}`);
            await channel.deleteQueue(`${prefix}.${group}.dlq`);
          }
          await channel.deleteExchange(prefix);
          await channel.deleteExchange(`${prefix}_dlq`);
          groupsByPrefix.delete(prefix);
        }
      }),
  },
);
