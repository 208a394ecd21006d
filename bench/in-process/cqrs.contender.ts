import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule, EventBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { BenchOrderPlaced } from '../harness/events.js';
import { PUBLISH_LIST_SIZE, type InProcessContender } from './contender.js';
import { countedWork, untilCalls, HANDLERS_PER_EVENT, sink } from './sink.js';

@EventsHandler(BenchOrderPlaced)
class CqrsAsyncHandler implements IEventHandler<BenchOrderPlaced> {
  async handle(event: BenchOrderPlaced): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask yield, identical in every contender
    await undefined;
    countedWork(event);
  }
}

@EventsHandler(BenchOrderPlaced)
class CqrsSyncHandler implements IEventHandler<BenchOrderPlaced> {
  handle(event: BenchOrderPlaced): void {
    countedWork(event);
  }
}

/** @nestjs/cqrs has no wildcard; a handler listing every event class is its equivalent. */
@EventsHandler(BenchOrderPlaced)
class CqrsAllEventsHandler implements IEventHandler<BenchOrderPlaced> {
  handle(event: BenchOrderPlaced): void {
    countedWork(event);
  }
}

@Module({ imports: [CqrsModule.forRoot()], providers: [CqrsAsyncHandler, CqrsSyncHandler, CqrsAllEventsHandler] })
class CqrsBenchModule {}

export function cqrsContender(): InProcessContender {
  let app: INestApplicationContext;
  let bus: EventBus;
  return {
    name: '@nestjs/cqrs EventBus',
    describe: `eventBus.publishAll(list) for lists of ${PUBLISH_LIST_SIZE}, then wait until the handlers of that list ran (counted); handlers are @EventsHandler classes`,
    async setup() {
      app = await NestFactory.createApplicationContext(CqrsBenchModule, { logger: false });
      bus = app.get(EventBus);
    },
    async deliver(events) {
      const base = sink.calls;
      for (let i = 0; i < events.length; i += PUBLISH_LIST_SIZE) {
        const list = events.slice(i, i + PUBLISH_LIST_SIZE);
        bus.publishAll(list);
        await untilCalls(base + (i + list.length) * HANDLERS_PER_EVENT);
      }
    },
    async teardown() {
      await app.close();
    },
  };
}
