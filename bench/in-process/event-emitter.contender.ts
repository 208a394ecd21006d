import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { BENCH_EVENT_TYPE, handlerWork, type BenchOrderPlaced } from '../harness/events.js';
import { PUBLISH_LIST_SIZE, type InProcessContender } from './contender.js';
import { sink } from './sink.js';

@Injectable()
class EmitterListeners {
  @OnEvent(BENCH_EVENT_TYPE)
  async onPlacedAsync(event: BenchOrderPlaced): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask yield, identical in every contender
    await undefined;
    handlerWork(sink, event);
  }

  @OnEvent(BENCH_EVENT_TYPE)
  onPlacedSync(event: BenchOrderPlaced): void {
    handlerWork(sink, event);
  }

  @OnEvent('**')
  onAny(event: BenchOrderPlaced): void {
    handlerWork(sink, event);
  }
}

@Module({ imports: [EventEmitterModule.forRoot({ wildcard: true })], providers: [EmitterListeners] })
class EmitterBenchModule {}

/**
 * `sequential` awaits each emitAsync before the next event: the same guarantee as ours (every
 * handler of event n settled before event n+1 starts). `perList` awaits Promise.all over a list
 * of 100 emitAsync calls: looser (events of a list overlap), shown for reference.
 */
export function eventEmitterContender(mode: 'sequential' | 'perList'): InProcessContender {
  let app: INestApplicationContext;
  let emitter: EventEmitter2;
  return {
    name: mode === 'sequential' ? '@nestjs/event-emitter emitAsync' : `@nestjs/event-emitter emitAsync ×${PUBLISH_LIST_SIZE} Promise.all`,
    describe:
      mode === 'sequential'
        ? 'await emitter.emitAsync(type, event) for each event in turn (wildcard: true; @OnEvent listeners incl. "**")'
        : `await Promise.all(list.map(emitAsync)) for lists of ${PUBLISH_LIST_SIZE} (events of a list overlap)`,
    async setup() {
      app = await NestFactory.createApplicationContext(EmitterBenchModule, { logger: false });
      await app.init();
      emitter = app.get(EventEmitter2);
    },
    async deliver(events) {
      if (mode === 'sequential') {
        for (const event of events) await emitter.emitAsync(BENCH_EVENT_TYPE, event);
        return;
      }
      for (let i = 0; i < events.length; i += PUBLISH_LIST_SIZE) {
        await Promise.all(events.slice(i, i + PUBLISH_LIST_SIZE).map((event) => emitter.emitAsync(BENCH_EVENT_TYPE, event)));
      }
    },
    async teardown() {
      await app.close();
    },
  };
}
