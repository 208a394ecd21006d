import { runBrokerSuite } from '../broker/broker-suite.js';
import { loadBusClass } from '../broker/load-bus.js';
import type { OurBrokerBusClass } from '../broker/session.js';
import { oursRabbit, rabbitLocation, rawAmqplib } from '../broker/rabbitmq.contenders.js';
import type { BenchSuite } from '../harness/suite.js';

export const rabbitmqSuite: BenchSuite = {
  name: 'rabbitmq',
  title: 'RabbitMQ: RabbitMQEventBus vs raw amqplib',
  run() {
    const { host, port } = rabbitLocation();
    return runBrokerSuite({
      suite: 'rabbitmq',
      title: this.title,
      broker: 'RabbitMQ',
      host,
      port,
      async contenders() {
        const Bus = await loadBusClass<OurBrokerBusClass>('RabbitMQEventBus', '../../lib/bus/rabbitmq/rabbitmq.event-bus.js');
        return Bus ? [oursRabbit(Bus), rawAmqplib()] : undefined;
      },
    });
  },
};
