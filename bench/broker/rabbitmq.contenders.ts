import amqp from 'amqplib';
import { BenchOrderPlaced } from '../harness/events.js';
import {
  CONSUMER_CONCURRENCY,
  fromWireBody,
  suffix,
  type BrokerContender,
  type BrokerSession,
  type OurBrokerBusClass,
  type ReceiveCallback,
} from './session.js';

/** Our default prefetch is 2 × concurrency; the raw consumer gets the same. */
const PREFETCH = 2 * CONSUMER_CONCURRENCY;

export function rabbitLocation(): { url: string; host: string; port: number } {
  const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const parsed = new URL(url);
  return { url, host: parsed.hostname, port: Number(parsed.port || 5672) };
}

async function deleteTopology(exchanges: string[], queues: string[]): Promise<void> {
  const connection = await amqp.connect(rabbitLocation().url);
  try {
    for (const queue of queues) {
      const channel = await connection.createChannel();
      await channel.deleteQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    for (const exchange of exchanges) {
      const channel = await connection.createChannel();
      await channel.deleteExchange(exchange).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}

export function oursRabbit(RabbitMQEventBus: OurBrokerBusClass): BrokerContender {
  return {
    name: 'nestjs-eventsource RabbitMQEventBus',
    describe: 'bus.publish(list of 100) awaited (publisher confirms); one consumer, concurrency 16, prefetch 32, manual ack',
    async open(): Promise<BrokerSession> {
      const exchangeName = `bench-ours-${suffix()}`;
      const bus = new RabbitMQEventBus({
        rabbitmqUrl: rabbitLocation().url,
        exchangeName,
        consumerGroup: 'bench',
        concurrency: CONSUMER_CONCURRENCY,
      });
      const subscribe = (onEvent: ReceiveCallback) =>
        bus.subscribe(BenchOrderPlaced, (e) =>
          onEvent({ eventId: e.eventId, totalAmount: e.totalAmount, aggregateVersion: e.aggregateVersion }),
        );
      return {
        publish: (list) => bus.publish(list as BenchOrderPlaced[]),
        async prepare() {
          // Declares the group's queue and binding, so published events are stored, not dropped.
          subscribe(() => undefined);
          await bus.startConsuming();
          await bus.stopConsuming();
        },
        async startConsumer(onEvent) {
          subscribe(onEvent);
          await bus.startConsuming();
        },
        async close() {
          await bus.shutdown(10_000);
          await deleteTopology([exchangeName, `${exchangeName}_dlq`], [`${exchangeName}.bench`, `${exchangeName}.bench.dlq`]);
        },
      };
    },
  };
}

export function rawAmqplib(): BrokerContender {
  return {
    name: 'raw amqplib (confirms / manual ack)',
    endToEndTarget: 0.7,
    describe: `confirm channel: 100 persistent publishes then waitForConfirms; consumer prefetch ${PREFETCH}, JSON.parse, ack after the handler`,
    async open(): Promise<BrokerSession> {
      const exchange = `bench-raw-${suffix()}`;
      const queue = `${exchange}.bench`;
      const connection = await amqp.connect(rabbitLocation().url);
      const publisher = await connection.createConfirmChannel();
      await publisher.assertExchange(exchange, 'topic', { durable: true });
      const declareQueue = async (channel: amqp.Channel) => {
        await channel.assertQueue(queue, { durable: true });
        await channel.bindQueue(queue, exchange, 'BenchOrder.bench.OrderPlaced');
      };
      let consumer: amqp.Channel | undefined;
      let consumerTag: string | undefined;
      const inFlight = new Set<Promise<void>>();
      return {
        async publish(list) {
          for (const e of list) {
            publisher.publish(exchange, `${e.aggregateType}.${e.eventType}`, Buffer.from(JSON.stringify(e.toJSON())), {
              persistent: true,
              messageId: e.eventId,
              contentType: 'application/json',
              headers: {
                event_type: e.eventType,
                aggregate_type: e.aggregateType,
                aggregate_id: e.aggregateId,
                aggregate_version: e.aggregateVersion,
              },
            });
          }
          await publisher.waitForConfirms();
        },
        async prepare() {
          await declareQueue(publisher);
        },
        async startConsumer(onEvent) {
          const channel = await connection.createChannel();
          consumer = channel;
          await channel.prefetch(PREFETCH);
          await declareQueue(channel);
          const reply = await channel.consume(
            queue,
            (msg) => {
              if (!msg) return;
              const work = Promise.resolve(onEvent(fromWireBody(JSON.parse(msg.content.toString()) as Record<string, unknown>))).then(() =>
                channel.ack(msg),
              );
              inFlight.add(work);
              void work.finally(() => inFlight.delete(work));
            },
            { noAck: false },
          );
          consumerTag = reply.consumerTag;
        },
        async close() {
          if (consumer && consumerTag) await consumer.cancel(consumerTag);
          await Promise.allSettled([...inFlight]);
          await consumer?.close().catch(() => undefined);
          await publisher.deleteQueue(queue).catch(() => undefined);
          await publisher.deleteExchange(exchange).catch(() => undefined);
          await connection.close();
        },
      };
    },
  };
}
