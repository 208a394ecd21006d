import type { Redis } from 'ioredis';
import type { ResolvedRedisEventBusConfig } from './redis-event-bus.config.js';

export interface RedisConsumerGroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  /** Entries not yet delivered to the group (null when Redis cannot tell, e.g. after XDEL). */
  lag: number | null;
}

/** What getStreamInfo() returns: the event stream, its groups, and the dead-letter stream. */
export interface RedisStreamInfo {
  stream: string;
  length: number;
  /** Number of consumer groups on the stream. */
  groups: number;
  /** Entries pending (delivered, not acked) in this bus's consumer group. */
  pending: number;
  lastGeneratedId: string | null;
  dlqStream: string;
  dlqLength: number;
  consumerGroups: RedisConsumerGroupInfo[];
}

export async function readStreamInfo(client: Redis, config: ResolvedRedisEventBusConfig): Promise<RedisStreamInfo> {
  const results = (await client
    .pipeline()
    .xinfo('STREAM', config.streamName)
    .xinfo('GROUPS', config.streamName)
    .xlen(config.dlqStreamName)
    .exec()) as Array<[Error | null, unknown]>;
  const [streamResult, groupsResult, dlqResult] = results;
  // A stream that does not exist yet answers "ERR no such key": report it as empty.
  const stream = streamResult?.[0] ? {} : pairsToRecord(streamResult?.[1] as unknown[]);
  const groups = groupsResult?.[0] ? [] : (groupsResult?.[1] as unknown[][]).map(pairsToRecord);
  if (dlqResult?.[0]) throw dlqResult[0];
  const consumerGroups = groups.map((g) => ({
    name: String(g.name),
    consumers: Number(g.consumers ?? 0),
    pending: Number(g.pending ?? 0),
    lastDeliveredId: typeof g['last-delivered-id'] === 'string' ? g['last-delivered-id'] : '0-0',
    lag: g.lag === null || g.lag === undefined ? null : Number(g.lag),
  }));
  return {
    stream: config.streamName,
    length: Number(stream.length ?? 0),
    groups: consumerGroups.length,
    pending: consumerGroups.find((g) => g.name === config.consumerGroup)?.pending ?? 0,
    lastGeneratedId: typeof stream['last-generated-id'] === 'string' ? stream['last-generated-id'] : null,
    dlqStream: config.dlqStreamName,
    dlqLength: Number(dlqResult?.[1] ?? 0),
    consumerGroups,
  };
}

/** `[key, value, key, value]` replies (XINFO) as an object. */
export function pairsToRecord(pairs: unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) record[String(pairs[i])] = pairs[i + 1];
  return record;
}
