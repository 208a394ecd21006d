import type { Admin, ITopicConfig } from 'kafkajs';
import { EventSourcingError } from '../../errors/event-sourcing.error.js';
import { toError, type EventSourcingLogger } from '../../utils/logger.util.js';
import type { ResolvedKafkaEventBusConfig } from './kafka-event-bus.config.js';
import { retryRetriable } from './kafka-retry.js';
import type { KafkaReplayPosition } from './kafka.types.js';

/** Topic creation, group offsets and metadata, through the kafkajs admin client. */
export class KafkaAdminOps {
  constructor(
    private readonly admin: Admin,
    private readonly config: ResolvedKafkaEventBusConfig,
    private readonly logger: EventSourcingLogger,
  ) {}

  /**
   * Creates the event, DLQ and replay-record topics when missing. Returns whether the DLQ topic
   * was new: then stale replay records (of a deleted DLQ with the same name) must go.
   */
  async ensureTopics(): Promise<{ dlqCreated: boolean }> {
    const { topic, dlqTopic, replayedTopic, partitions, replicationFactor } = this.config;
    const existing = new Set(await this.admin.listTopics());
    const wanted: ITopicConfig[] = [
      { topic, numPartitions: partitions, replicationFactor },
      { topic: dlqTopic, numPartitions: 1, replicationFactor },
      // Compacted (one record per id), and deletable so purgeDlq() can clear it.
      { topic: replayedTopic, numPartitions: 1, replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }] },
    ];
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) await this.retry(() => this.admin.createTopics({ topics: missing, waitForLeaders: true }));
    // A consumer that joins before the partitions have leaders can be assigned none of them (also
    // when another process created the topic a moment ago).
    await this.retry(async () => {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: wanted.map((t) => t.topic) });
      if (!topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        throw Object.assign(new Error('the topics have no partition leaders yet'), { retriable: true });
      }
    });
    if (existing.has(topic)) await this.warnOnFewerPartitions();
    return { dlqCreated: !existing.has(dlqTopic) && existing.has(replayedTopic) };
  }

  async partitionCount(topic = this.config.topic): Promise<number> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 0;
  }

  /** Cheap liveness probe of the cluster. */
  async describeCluster(): Promise<{ brokers: number; controller: number | null; clusterId: string }> {
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller, clusterId: cluster.clusterId };
  }

  /** The offsets a replay starts from, per partition. */
  async replayOffsets(position: KafkaReplayPosition): Promise<Array<{ partition: number; offset: string }>> {
    if (!('timestamp' in position)) return position.partitions.map(({ partition, offset }) => ({ partition, offset: String(offset) }));
    const timestamp = position.timestamp instanceof Date ? position.timestamp.getTime() : position.timestamp;
    return this.admin.fetchTopicOffsetsByTimestamp(this.config.topic, timestamp);
  }

  /** Kafka moves a group's offsets only while none of its members runs. */
  async assertGroupIdle(): Promise<void> {
    const { groups } = await this.admin.describeGroups([this.config.consumerGroup]);
    const state = groups[0]?.state ?? 'Dead';
    if (state !== 'Empty' && state !== 'Dead')
      throw this.groupBusy(`the group is ${state} with ${groups[0]?.members.length ?? 0} member(s)`);
  }

  /** Commits the replay offsets for the stopped group (used when this bus is not consuming). */
  async moveGroupOffsets(partitions: Array<{ partition: number; offset: string }>): Promise<void> {
    try {
      await this.admin.setOffsets({ groupId: this.config.consumerGroup, topic: this.config.topic, partitions });
    } catch (error) {
      throw this.groupBusy(toError(error).message, error);
    }
  }

  private groupBusy(detail: string, cause?: unknown): EventSourcingError {
    const { topic, consumerGroup } = this.config;
    return new EventSourcingError(
      `replayFrom() could not move the offsets of consumer group '${consumerGroup}' on ${topic}: ${detail}. ` +
        'Kafka only allows it while no member of the group is running: stop the other consumers of this group first.',
      { cause },
    );
  }

  private retry<T>(work: () => Promise<T>): Promise<T> {
    return retryRetriable(work, this.config.requestTimeoutMs);
  }

  private async warnOnFewerPartitions(): Promise<void> {
    const actual = await this.partitionCount();
    if (actual > 0 && actual < this.config.partitions) {
      this.logger.warn(
        `kafka: topic ${this.config.topic} exists with ${actual} partition(s) (partitions=${this.config.partitions} is only used when the bus creates it)`,
      );
    }
  }
}
