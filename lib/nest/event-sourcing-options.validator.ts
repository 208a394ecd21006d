import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../bus/event-bus.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { EventStore } from '../stores/event-store.interface.js';
import type { EventSourcingLogger } from '../utils/logger.util.js';
import type {
  EventSourcingModuleOptions,
  EventStoreOption,
  ResolvedEventSourcingOptions,
  TransportOptions,
} from './event-sourcing-options.interface.js';
import { nestLoggerAdapter } from './nest-logger.adapter.js';

const TRANSPORT_TYPES = ['memory', 'redis', 'rabbitmq', 'kafka'] as const;
const OPTION_KEYS = new Set(['transport', 'eventStore', 'logger', 'shutdownTimeoutMs', 'publishInBackground']);

/** Validates the module options at bootstrap and applies defaults. Throws ConfigurationError naming the key. */
export function resolveModuleOptions(raw: EventSourcingModuleOptions | undefined): ResolvedEventSourcingOptions {
  const options = raw ?? {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigurationError('EventSourcingModule options', options, 'an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key) && key !== 'isGlobal') {
      throw new ConfigurationError(
        key,
        (options as Record<string, unknown>)[key],
        `a known option (${[...OPTION_KEYS].join(', ')}); check the spelling`,
      );
    }
  }
  const { shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS, publishInBackground = false } = options;
  if (typeof shutdownTimeoutMs !== 'number' || !Number.isFinite(shutdownTimeoutMs) || shutdownTimeoutMs < 0) {
    throw new ConfigurationError('shutdownTimeoutMs', shutdownTimeoutMs, 'a finite number of milliseconds >= 0');
  }
  if (typeof publishInBackground !== 'boolean') {
    throw new ConfigurationError('publishInBackground', publishInBackground, 'a boolean');
  }
  return {
    transport: validateTransport(options.transport),
    eventStore: validateEventStore(options.eventStore),
    logger: validateLogger(options.logger) ?? nestLoggerAdapter('EventSourcingModule'),
    shutdownTimeoutMs,
    publishInBackground,
  };
}

function validateTransport(transport: TransportOptions | undefined): TransportOptions {
  if (transport === undefined) return { type: 'memory' };
  if (transport === null || typeof transport !== 'object' || Array.isArray(transport)) {
    throw new ConfigurationError('transport', transport, "an object with a type: { type: 'memory' | 'redis' | 'rabbitmq' | 'kafka', ... }");
  }
  const type: unknown = transport.type;
  if (!TRANSPORT_TYPES.includes(type as never)) {
    throw new ConfigurationError('transport.type', type, `one of ${TRANSPORT_TYPES.map((t) => `'${t}'`).join(', ')}`);
  }
  if (transport.type === 'memory') return transport;
  const { consumerGroup, consume } = transport;
  if (typeof consumerGroup !== 'string' || consumerGroup.trim().length === 0) {
    throw new ConfigurationError(
      'transport.consumerGroup',
      consumerGroup,
      `a non-empty string naming this service's consumer group (required for the ${transport.type} transport; ` +
        "there is no default, because services sharing a group split each other's events instead of each receiving all)",
    );
  }
  if (consume !== undefined && typeof consume !== 'boolean') {
    throw new ConfigurationError('transport.consume', consume, 'a boolean (or leave it out: consume when a handler is bound)');
  }
  return transport;
}

function validateEventStore(store: EventStoreOption | undefined): EventStoreOption {
  if (store === undefined) return { type: 'memory' };
  if (isEventStore(store)) return store;
  const expected =
    "an EventStore instance, { type: 'memory' } or { type: 'postgres', connectionString | pool, schema?, tableName?, outbox? }";
  if (store === null || typeof store !== 'object' || !('type' in store)) throw new ConfigurationError('eventStore', store, expected);
  if (store.type === 'memory') return store;
  if (store.type !== 'postgres') {
    throw new ConfigurationError(
      'eventStore.type',
      (store as { type: unknown }).type,
      "'memory' or 'postgres' (or pass an EventStore instance)",
    );
  }
  for (const key of ['connectionString', 'schema', 'tableName'] as const) {
    const value = store[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw new ConfigurationError(`eventStore.${key}`, value, 'a non-empty string');
    }
  }
  if (store.outbox !== undefined && typeof store.outbox !== 'boolean') {
    throw new ConfigurationError('eventStore.outbox', store.outbox, 'a boolean');
  }
  return store;
}

export function isEventStore(value: unknown): value is EventStore {
  const candidate = value as Partial<Record<keyof EventStore, unknown>> | null;
  return (
    candidate !== null &&
    typeof candidate === 'object' &&
    typeof candidate.appendEvents === 'function' &&
    typeof candidate.getEvents === 'function' &&
    typeof candidate.readAll === 'function'
  );
}

function validateLogger(logger: EventSourcingLogger | undefined): EventSourcingLogger | undefined {
  if (logger === undefined) return undefined;
  if (logger === null || typeof logger !== 'object' || typeof logger.error !== 'function' || typeof logger.warn !== 'function') {
    throw new ConfigurationError('logger', logger, "an object with error() and warn() methods (console and Nest's Logger both fit)");
  }
  return logger;
}
