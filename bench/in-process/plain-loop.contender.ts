import { handlerWork } from '../harness/events.js';
import type { InProcessContender } from './contender.js';
import { asyncHandler, sink, syncHandler } from './sink.js';

/** The floor: the same three handler calls per event with no bus at all. */
export function plainLoopContender(): InProcessContender {
  return {
    name: 'plain for loop (floor)',
    describe: 'for each event: call the async handler, the sync handler and the wildcard handler, then await the async one',
    async setup() {},
    async deliver(events) {
      for (const event of events) {
        const pending = asyncHandler(event);
        syncHandler(event);
        handlerWork(sink, event);
        await pending;
      }
    },
    async teardown() {},
  };
}
