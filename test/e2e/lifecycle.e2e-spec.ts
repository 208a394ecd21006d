import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import {
  AggregateRepository,
  AggregateRoot,
  BusClosedError,
  DomainEvent,
  EventBus,
  EventSourcingModule,
  InjectRepository,
  InMemoryEventStore,
  OnEvent,
  RegisterEvent,
  type EventSourcingLogger,
} from '../../lib/index.js';

@RegisterEvent('LifecycleSpec.Ticked')
class Ticked extends DomainEvent<Ticked> {
  static readonly aggregateType = 'Clock';
}

class ClockAggregate extends AggregateRoot<{ ticks: number }> {
  static readonly aggregateType = 'Clock';
  protected getInitialState() {
    return { ticks: 0 };
  }
  protected evolve(): void {
    this.state = { ticks: this.state.ticks + 1 };
  }
  tick(): void {
    this.applyEvent(new Ticked({ aggregateId: this.aggregateId, aggregateVersion: this.getNextVersion() }));
  }
}

@Injectable()
class TickCounter {
  ticks = 0;
  @OnEvent(Ticked)
  onTick() {
    this.ticks++;
  }
}

@Injectable()
class PublishesOnBootstrap implements OnApplicationBootstrap {
  subscribersAtBootstrap = -1;
  constructor(@Inject(EventBus) private readonly bus: EventBus) {}
  async onApplicationBootstrap() {
    this.subscribersAtBootstrap = this.bus.getSubscriberCount(Ticked);
    await this.bus.publish([new Ticked({ aggregateId: randomUUID() })]);
  }
}

/** A handler that stays busy until the test opens the gate. */
@Injectable()
class GatedHandler {
  readonly order: string[] = [];
  private open!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  @OnEvent(Ticked)
  async onTick() {
    await this.gate;
    this.order.push('handled');
  }
  release() {
    this.open();
  }
}

@Injectable()
class Clocks {
  constructor(@InjectRepository(ClockAggregate) readonly repository: AggregateRepository<ClockAggregate>) {}
}

class TrackedStore extends InMemoryEventStore {
  readonly calls: string[] = [];
  async initialize() {
    this.calls.push('initialize');
  }
  async close() {
    this.calls.push('close');
  }
}

describe('EventSourcingModule lifecycle', () => {
  it('binds handlers before any onApplicationBootstrap runs', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({})],
      providers: [PublishesOnBootstrap, TickCounter],
    }).compile();
    await moduleRef.init();
    try {
      expect(moduleRef.get(PublishesOnBootstrap).subscribersAtBootstrap).toBe(1);
      expect(moduleRef.get(TickCounter).ticks).toBe(1);
    } finally {
      await moduleRef.close();
    }
  });

  it('app.close() drains background publishing, then publish rejects with BusClosedError', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({ publishInBackground: true }), EventSourcingModule.forFeature([ClockAggregate])],
      providers: [GatedHandler, Clocks],
    }).compile();
    const app = await moduleRef.createNestApplication().init();
    const clock = app.get(Clocks).repository.createNew(randomUUID());
    clock.tick();
    await app.get(Clocks).repository.save(clock); // returns before the handler finished
    const handler = app.get(GatedHandler);
    const bus = app.get(EventBus);
    expect(handler.order).toEqual([]);
    expect(bus.getBackgroundTaskCount()).toBe(1);

    const closing = app.close().then(() => handler.order.push('closed'));
    setImmediate(() => handler.release());
    await closing;
    expect(handler.order).toEqual(['handled', 'closed']);
    expect(bus.getStats()).toMatchObject({ backgroundTasksCreated: 1, backgroundTasksCompleted: 1, handlersInvoked: 1 });
    await expect(bus.publish([new Ticked({ aggregateId: randomUUID() })])).rejects.toBeInstanceOf(BusClosedError);
  });

  it('initialises the store at module init and closes it on shutdown', async () => {
    const store = new TrackedStore();
    const moduleRef = await Test.createTestingModule({ imports: [EventSourcingModule.forRoot({ eventStore: store })] }).compile();
    expect(store.calls).toEqual(['initialize']);
    await moduleRef.init();
    await moduleRef.close();
    expect(store.calls).toEqual(['initialize', 'close']);
  });

  it('two apps in one process share nothing', async () => {
    const boot = async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [EventSourcingModule.forRoot({}), EventSourcingModule.forFeature([ClockAggregate])],
        providers: [TickCounter, Clocks],
      }).compile();
      return moduleRef.createNestApplication().init();
    };
    const first = await boot();
    const second = await boot();
    try {
      expect(first.get(EventBus)).not.toBe(second.get(EventBus));
      const clock = first.get(Clocks).repository.createNew(randomUUID());
      clock.tick();
      await first.get(Clocks).repository.save(clock);
      expect(first.get(TickCounter).ticks).toBe(1);
      expect(second.get(TickCounter).ticks).toBe(0);
      expect(await second.get(Clocks).repository.exists(clock.aggregateId)).toBe(false);
      await first.close();
      await second.get(EventBus).publish([new Ticked({ aggregateId: randomUUID() })]);
      expect(second.get(TickCounter).ticks).toBe(1);
      expect(second.get(EventBus).getSubscriberCount(Ticked)).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('does not warn about the in-memory store with the in-memory transport', async () => {
    const warnings: string[] = [];
    const logger: EventSourcingLogger = { warn: (m) => void warnings.push(m), error: () => undefined };
    const moduleRef = await Test.createTestingModule({ imports: [EventSourcingModule.forRoot({ logger })] }).compile();
    await moduleRef.init();
    await moduleRef.close();
    expect(warnings).toEqual([]);
  });
});
