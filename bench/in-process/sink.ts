import { handlerWork, type BenchOrderPlaced, type HandlerSink } from '../harness/events.js';

/**
 * Where every contender's handlers record their calls. Contenders run one after another, so
 * one shared sink reset before each pass is enough. Buses that cannot tell when their
 * handlers finished (@nestjs/cqrs) are timed until `calls` reaches `target`.
 */
export interface CountingSink extends HandlerSink {
  target: number;
  reached?: () => void;
}

export const sink: CountingSink = { calls: 0, checksum: 0, target: Number.POSITIVE_INFINITY };

export function resetSink(): void {
  sink.calls = 0;
  sink.checksum = 0;
  sink.target = Number.POSITIVE_INFINITY;
  sink.reached = undefined;
}

/** Resolves once the handlers have been called `target` times in total. */
export function untilCalls(target: number): Promise<void> {
  if (sink.calls >= target) return Promise.resolve();
  return new Promise((resolve) => {
    sink.target = target;
    sink.reached = resolve;
  });
}

/** handlerWork plus the completion check, for buses timed by counting. */
export function countedWork(event: BenchOrderPlaced): void {
  handlerWork(sink, event);
  if (sink.calls === sink.target) sink.reached?.();
}

/** The three handlers every contender runs: one async (awaits once), one sync, one wildcard. */
export async function asyncHandler(event: BenchOrderPlaced): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask yield, identical in every contender
  await undefined;
  handlerWork(sink, event);
}

export function syncHandler(event: BenchOrderPlaced): void {
  handlerWork(sink, event);
}

export const HANDLERS_PER_EVENT = 3;
