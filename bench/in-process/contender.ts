import type { BenchOrderPlaced } from '../harness/events.js';

/** One way of delivering every event to the same three handlers (async, sync, wildcard). */
export interface InProcessContender {
  name: string;
  /** How publishing is done and what the timer covers, for the report. */
  describe: string;
  setup(): Promise<void>;
  /** Publishes every event; resolves once every handler call for every event has settled. */
  deliver(events: readonly BenchOrderPlaced[]): Promise<void>;
  teardown(): Promise<void>;
}

export const PUBLISH_LIST_SIZE = 100;
