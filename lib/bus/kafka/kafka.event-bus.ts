import type { BrokerEventBusStats } from '../bus-stats.js';
import { BrokerEventBus, type BrokerBusOptions } from '../broker/broker.event-bus.js';
import { validateReplayPosition, type KafkaReplayPosition, type KafkaTopicInfo } from './kafka.types.js';
import { resolveKafkaConfig, type KafkaEventBusConfig, type ResolvedKafkaEventBusConfig } from './kafka-event-bus.config.js';
import { KafkaTransport } from './kafka.transport.js';

export type { KafkaReplayPosition, KafkaTopicInfo } from './kafka.types.js';

export interface KafkaEventBusStats extends BrokerEventBusStats {
  /** Consumer group joins of this bus (the first one included); each one is a rebalance. */
  rebalances: number;
  /** Consumer restarts after a crash (each after a backoff). */
  consumerRestarts: number;
}

/**
 * Event bus on Apache Kafka (kafkajs, loaded on first connect). Key = aggregate id, so one
 * aggregate's events stay in one partition and keep their order across the whole group.
 *
 *   const bus = new KafkaEventBus({ bootstrapServers: 'kafka:9092', topicPrefix: 'shop', consumerGroup: 'billing' });
 */
export class KafkaEventBus extends BrokerEventBus<ResolvedKafkaEventBusConfig> {
  constructor(config: KafkaEventBusConfig = {}, options: BrokerBusOptions = {}) {
    const resolved = resolveKafkaConfig(config);
    super(resolved, (context) => new KafkaTransport(resolved, context), options);
  }

  /**
   * Stops fetching, lets fetched messages settle (bounded by timeoutMs), commits their offsets
   * and leaves the group, so the partitions move to the other members at once.
   */
  override async stopConsuming(timeoutMs = this.config.shutdownTimeoutMs): Promise<void> {
    const startedAt = Date.now();
    await super.stopConsuming(timeoutMs);
    await this.kafka.whenConsumerStopped(Math.max(1_000, timeoutMs - (Date.now() - startedAt)));
  }

  override getStats(): KafkaEventBusStats {
    return { ...super.getStats(), ...this.kafka.counters() };
  }

  /** Topic name, partition count, consumer group, and the partitions this member holds. */
  async getTopicInfo(): Promise<KafkaTopicInfo> {
    return this.kafka.topicInfo();
  }

  /**
   * Re-reads history for this bus's consumer group: from the first record at or after
   * `timestamp`, or from explicit partition offsets. Kafka moves a group's offsets only while
   * none of its members runs, so other consumers of the group must be stopped; this bus stops
   * and restarts its own consumer around the move.
   */
  async replayFrom(position: KafkaReplayPosition): Promise<void> {
    const target = validateReplayPosition(position);
    await this.connect();
    const wasConsuming = this.kafka.consuming;
    if (wasConsuming) await this.stopConsuming();
    try {
      await this.kafka.prepareReplay(target, wasConsuming);
      this.logger.log?.(`kafka: consumer group '${this.config.consumerGroup}' replays ${this.config.topic} ${describe(target)}`);
    } finally {
      if (wasConsuming) await this.startConsuming();
    }
  }

  private get kafka(): KafkaTransport {
    return this.transport as KafkaTransport;
  }
}

function describe(position: KafkaReplayPosition): string {
  if ('timestamp' in position) return `from ${new Date(position.timestamp).toISOString()}`;
  return position.partitions.map(({ partition, offset }) => `${partition}@${offset}`).join(', ');
}
