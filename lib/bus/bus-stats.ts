/** Counters every bus reports. getStats() returns a fresh copy each call. */
export interface EventBusStats {
  eventsPublished: number;
  /** Handler calls that succeeded. */
  handlersInvoked: number;
  handlerErrors: number;
  backgroundTasksCreated: number;
  backgroundTasksCompleted: number;
}

/** Broker buses add consumer-side counters; every broker bus has every key. */
export interface BrokerEventBusStats extends EventBusStats {
  eventsConsumed: number;
  eventsProcessedSuccess: number;
  eventsProcessedFailed: number;
  eventsSkipped: number;
  messagesRetried: number;
  messagesRecovered: number;
  messagesSentToDlq: number;
  reconnections: number;
  lastPublishAt: Date | null;
  lastConsumeAt: Date | null;
}

export function emptyStats(): EventBusStats {
  return { eventsPublished: 0, handlersInvoked: 0, handlerErrors: 0, backgroundTasksCreated: 0, backgroundTasksCompleted: 0 };
}

export function emptyBrokerStats(): BrokerEventBusStats {
  return {
    ...emptyStats(),
    eventsConsumed: 0,
    eventsProcessedSuccess: 0,
    eventsProcessedFailed: 0,
    eventsSkipped: 0,
    messagesRetried: 0,
    messagesRecovered: 0,
    messagesSentToDlq: 0,
    reconnections: 0,
    lastPublishAt: null,
    lastConsumeAt: null,
  };
}
