import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '../../errors/configuration.error.js';
import type { PayloadNaming } from '../../events/event-codec.js';

/** Settings every broker bus shares (eventsource-py's names in camelCase, durations in ms). */
export interface BrokerBusConfig {
  /** Every group receives every event; consumers in one group share them. */
  consumerGroup?: string;
  /** Stable names (a pod name) let a restarted consumer finish its own pending messages at once. */
  consumerName?: string;
  /** Aggregates handled at the same time by one consumer. */
  concurrency?: number;
  /** Retries after the first failed attempt, then the message is dead-lettered. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Random spread applied to each retry delay (0.1 = ±10%). */
  retryJitter?: number;
  /** A handler not settled by then counts as failed. */
  handlerTimeoutMs?: number;
  /** How long publish waits for the broker to accept events (also while disconnected). */
  publishTimeoutMs?: number;
  /** Bound on stopConsuming()/shutdown() draining. */
  shutdownTimeoutMs?: number;
  /** Larger messages are dead-lettered unread. */
  maxPayloadBytes?: number;
  enableDlq?: boolean;
  /** What to do with a type unknown to this process when no wildcard handler exists. */
  onUnknownEventType?: 'dlq' | 'skip';
  payloadNaming?: PayloadNaming;
}

export type ResolvedBrokerBusConfig = Required<BrokerBusConfig>;

export const BROKER_DEFAULTS = {
  consumerGroup: 'default',
  concurrency: 16,
  maxRetries: 3,
  retryBaseDelayMs: 1_000,
  retryMaxDelayMs: 60_000,
  retryJitter: 0.1,
  handlerTimeoutMs: 30_000,
  publishTimeoutMs: 10_000,
  shutdownTimeoutMs: 30_000,
  maxPayloadBytes: 1024 * 1024,
  enableDlq: true,
  onUnknownEventType: 'dlq',
  payloadNaming: 'as-declared',
} as const;

export function defaultConsumerName(): string {
  return `${hostname()}-${randomBytes(4).toString('hex')}`;
}

/** Applies defaults and validates the shared keys; throws ConfigurationError naming the key. */
export function resolveBrokerConfig(config: BrokerBusConfig = {}): ResolvedBrokerBusConfig {
  if (config === null || typeof config !== 'object') throw new ConfigurationError('config', config, 'an object');
  const resolved: ResolvedBrokerBusConfig = {
    ...BROKER_DEFAULTS,
    consumerName: defaultConsumerName(),
    ...stripUndefined(config),
  };
  nonEmptyString('consumerGroup', resolved.consumerGroup);
  nonEmptyString('consumerName', resolved.consumerName);
  integerAtLeast('concurrency', resolved.concurrency, 1);
  integerAtLeast('maxRetries', resolved.maxRetries, 0);
  integerAtLeast('retryBaseDelayMs', resolved.retryBaseDelayMs, 0);
  integerAtLeast('retryMaxDelayMs', resolved.retryMaxDelayMs, resolved.retryBaseDelayMs, 'retryBaseDelayMs');
  if (typeof resolved.retryJitter !== 'number' || resolved.retryJitter < 0 || resolved.retryJitter > 1) {
    throw new ConfigurationError('retryJitter', resolved.retryJitter, 'a number from 0 to 1');
  }
  integerAtLeast('handlerTimeoutMs', resolved.handlerTimeoutMs, 1);
  integerAtLeast('publishTimeoutMs', resolved.publishTimeoutMs, 1);
  integerAtLeast('shutdownTimeoutMs', resolved.shutdownTimeoutMs, 0);
  integerAtLeast('maxPayloadBytes', resolved.maxPayloadBytes, 1);
  if (typeof resolved.enableDlq !== 'boolean') throw new ConfigurationError('enableDlq', resolved.enableDlq, 'true or false');
  oneOf('onUnknownEventType', resolved.onUnknownEventType, ['dlq', 'skip']);
  oneOf('payloadNaming', resolved.payloadNaming, ['as-declared', 'snake_case']);
  return resolved;
}

export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function nonEmptyString(key: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim().length === 0) throw new ConfigurationError(key, value, 'a non-empty string');
}

export function integerAtLeast(key: string, value: unknown, min: number, minName?: string): void {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new ConfigurationError(key, value, `an integer >= ${minName ? `${minName} (${min})` : min}`);
  }
}

export function oneOf(key: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) {
    throw new ConfigurationError(key, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}
