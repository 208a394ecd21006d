import type { Channel } from 'amqplib';
import type { ResolvedRabbitMQEventBusConfig } from './rabbitmq-event-bus.config.js';

/** Exchange and queue names of one bus (eventsource-py's layout, so both can share a broker). */
export interface RabbitMQNames {
  exchange: string;
  queue: string;
  dlqExchange: string;
  dlqQueue: string;
  /** Routing key of dead letters on the DLQ exchange: the queue name. */
  dlqRoutingKey: string;
}

export function rabbitmqNames(config: Pick<ResolvedRabbitMQEventBusConfig, 'exchangeName' | 'consumerGroup'>): RabbitMQNames {
  const queue = `${config.exchangeName}.${config.consumerGroup}`;
  return {
    exchange: config.exchangeName,
    queue,
    dlqExchange: `${config.exchangeName}_dlq`,
    dlqQueue: `${queue}.dlq`,
    dlqRoutingKey: queue,
  };
}

/** `{aggregate_type}.{event_type}`, the routing key of every published event. */
export function routingKeyOf(aggregateType: string, eventType: string): string {
  return `${aggregateType}.${eventType}`;
}

/** A binding of the group's queue to the main exchange. */
export interface QueueBinding {
  pattern: string;
  args?: Record<string, unknown>;
}

/** What the queue should be bound to: one binding per subscribed type, or everything for wildcards. */
export class BindingPlan {
  private readonly bindings = new Map<string, QueueBinding>();

  constructor(private readonly config: ResolvedRabbitMQEventBusConfig) {
    const { exchangeType, routingKeyPattern } = config;
    if (exchangeType === 'fanout') this.add({ pattern: '' });
    else if (routingKeyPattern !== undefined) this.add({ pattern: routingKeyPattern });
  }

  /** Returns the new binding, or undefined when an existing one already covers the type. */
  forEventType(eventType: string, aggregateType?: string): QueueBinding | undefined {
    const { exchangeType, routingKeyPattern } = this.config;
    if (exchangeType === 'fanout' || routingKeyPattern !== undefined) return undefined;
    if (exchangeType === 'headers') return this.add({ pattern: '', args: { 'x-match': 'all', event_type: eventType } });
    // A topic exchange can match a type whatever its aggregate; a direct one needs the exact key.
    if (aggregateType) return this.add({ pattern: routingKeyOf(aggregateType, eventType) });
    if (exchangeType === 'topic') return this.add({ pattern: `#.${eventType}` });
    return undefined;
  }

  /**
   * Wildcard handlers want every event: '#' on a topic exchange; on a headers exchange an
   * `x-match: all` binding without header keys matches every message. A direct exchange
   * cannot bind "everything": only the subscribed types arrive there.
   */
  forAllEvents(): QueueBinding | undefined {
    const { exchangeType, routingKeyPattern } = this.config;
    if (routingKeyPattern !== undefined) return undefined;
    if (exchangeType === 'topic') return this.add({ pattern: '#' });
    if (exchangeType === 'headers') return this.add({ pattern: '', args: { 'x-match': 'all' } });
    return undefined;
  }

  all(): QueueBinding[] {
    return [...this.bindings.values()];
  }

  private add(binding: QueueBinding): QueueBinding | undefined {
    const key = `${binding.pattern}\u0000${JSON.stringify(binding.args ?? null)}`;
    if (this.bindings.has(key)) return undefined;
    this.bindings.set(key, binding);
    return binding;
  }
}

/** Both exchanges; every session declares them, publishers included. */
export async function declareExchanges(channel: Channel, config: ResolvedRabbitMQEventBusConfig, names: RabbitMQNames): Promise<void> {
  const durability = { durable: config.durable, autoDelete: config.autoDelete };
  await channel.assertExchange(names.dlqExchange, 'direct', durability);
  await channel.assertExchange(names.exchange, config.exchangeType, durability);
}

/**
 * The group's queue and its DLQ queue, declared only once the group needs them (consuming,
 * bindings, DLQ tools), so a publish-only service leaves no queues behind. The main queue
 * carries the dead-letter arguments eventsource-py declares, so a Python service can share it
 * (RabbitMQ refuses a redeclaration with other arguments: PRECONDITION_FAILED).
 */
export async function declareQueues(channel: Channel, config: ResolvedRabbitMQEventBusConfig, names: RabbitMQNames): Promise<void> {
  const durability = { durable: config.durable, autoDelete: config.autoDelete };
  await channel.assertQueue(names.dlqQueue, durability);
  await channel.bindQueue(names.dlqQueue, names.dlqExchange, names.dlqRoutingKey);
  await channel.assertQueue(names.queue, {
    ...durability,
    arguments: { 'x-dead-letter-exchange': names.dlqExchange, 'x-dead-letter-routing-key': names.dlqRoutingKey },
  });
}

export async function bindQueue(channel: Channel, names: RabbitMQNames, binding: QueueBinding): Promise<void> {
  await channel.bindQueue(names.queue, names.exchange, binding.pattern, binding.args);
}
