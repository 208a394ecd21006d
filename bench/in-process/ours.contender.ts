import type { DomainEvent } from '../../lib/events/domain-event.js';
import { InMemoryEventBus } from '../../lib/bus/memory/in-memory.event-bus.js';
import { BenchOrderPlaced } from '../harness/events.js';
import { PUBLISH_LIST_SIZE, type InProcessContender } from './contender.js';
import { asyncHandler, sink, syncHandler } from './sink.js';
import { handlerWork } from '../harness/events.js';

export function oursContender(): InProcessContender {
  let bus: InMemoryEventBus;
  return {
    name: 'nestjs-eventsource InMemoryEventBus',
    describe: `await bus.publish(list) for consecutive lists of ${PUBLISH_LIST_SIZE} events (publish resolves when every handler settled)`,
    async setup() {
      bus = new InMemoryEventBus();
      bus.subscribe(BenchOrderPlaced, asyncHandler);
      bus.subscribe(BenchOrderPlaced, syncHandler);
      bus.subscribeToAllEvents(function wildcard(event: DomainEvent) {
        handlerWork(sink, event as BenchOrderPlaced);
      });
    },
    async deliver(events) {
      for (let i = 0; i < events.length; i += PUBLISH_LIST_SIZE) {
        await bus.publish(events.slice(i, i + PUBLISH_LIST_SIZE) as BenchOrderPlaced[]);
      }
    },
    async teardown() {
      await bus.shutdown();
    },
  };
}
