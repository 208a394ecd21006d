import { runBrokerSuite } from '../broker/broker-suite.js';
import { kafkaLocation, oursKafka, rawKafkajs } from '../broker/kafka.contenders.js';
import { loadBusClass } from '../broker/load-bus.js';
import type { OurBrokerBusClass } from '../broker/session.js';
import type { BenchSuite } from '../harness/suite.js';

export const kafkaSuite: BenchSuite = {
  name: 'kafka',
  title: 'Kafka: KafkaEventBus vs raw kafkajs',
  run() {
    const { host, port } = kafkaLocation();
    return runBrokerSuite({
      suite: 'kafka',
      title: this.title,
      broker: 'Kafka (start it with: bash scripts/kafka/start.sh)',
      host,
      port,
      async contenders() {
        const Bus = await loadBusClass<OurBrokerBusClass>('KafkaEventBus', '../../lib/bus/kafka/kafka.event-bus.js');
        return Bus ? [oursKafka(Bus), rawKafkajs()] : undefined;
      },
    });
  },
};
