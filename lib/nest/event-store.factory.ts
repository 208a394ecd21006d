import type { EventPublisher } from '../bus/event-publisher.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import { EventSourcingError } from '../errors/event-sourcing.error.js';
import type { EventStore } from '../stores/event-store.interface.js';
import { InMemoryEventStore } from '../stores/in-memory.event-store.js';
import type { EventSourcingLogger } from '../utils/logger.util.js';
import type { EventStoreOption } from './event-sourcing-options.interface.js';
import { isEventStore } from './event-sourcing-options.validator.js';

/** The optional lifecycle a store may have (PostgresEventStore has both). */
export interface ManagedEventStore extends EventStore {
  initialize?(): Promise<void>;
  close?(): Promise<void>;
}

/** What the module needs from an OutboxRelay. */
export interface OutboxRelayLike {
  start(): Promise<void>;
  stop(): Promise<void>;
}

// Specifiers kept in variables: these modules are optional and loaded only when configured.
const POSTGRES_STORE_MODULE = '../stores/postgres/postgres.event-store.js';
const OUTBOX_RELAY_MODULE = '../stores/postgres/outbox-relay.js';

/** Builds (or takes) the store and initialises it when it has initialize(). */
export async function createEventStore(option: EventStoreOption, logger: EventSourcingLogger): Promise<ManagedEventStore> {
  const store = await instantiate(option, logger);
  if (typeof store.initialize === 'function') await store.initialize();
  return store;
}

async function instantiate(option: EventStoreOption, logger: EventSourcingLogger): Promise<ManagedEventStore> {
  if (isEventStore(option)) return option;
  switch (option.type) {
    case 'memory':
      return new InMemoryEventStore();
    case 'postgres': {
      const { type: _type, ...config } = option;
      const { PostgresEventStore } = await loadOptional<{
        PostgresEventStore: new (config: unknown) => ManagedEventStore;
      }>(POSTGRES_STORE_MODULE, 'eventStore.type', 'postgres');
      return new PostgresEventStore({ logger, ...config });
    }
    default:
      throw new ConfigurationError(
        'eventStore.type',
        (option as { type?: unknown }).type,
        "'memory' or 'postgres' (or pass an EventStore instance)",
      );
  }
}

/** The relay that publishes a store's outbox rows through the bus. */
export async function createOutboxRelay(
  store: EventStore,
  publisher: EventPublisher,
  logger: EventSourcingLogger,
): Promise<OutboxRelayLike> {
  const { OutboxRelay } = await loadOptional<{
    OutboxRelay: new (options: Record<string, unknown>) => OutboxRelayLike;
  }>(OUTBOX_RELAY_MODULE, 'eventStore.outbox', true);
  return new OutboxRelay({ store, publisher, logger });
}

async function loadOptional<T>(modulePath: string, key: string, value: unknown): Promise<T> {
  try {
    return (await import(modulePath)) as T;
  } catch (error) {
    // A missing driver (pg) surfaces as the store's own MissingDependencyError: keep it.
    if (error instanceof EventSourcingError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError(key, value, `a feature available in this build (${modulePath} could not be loaded: ${reason})`);
  }
}
