import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Injectable, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AggregateRepository,
  AggregateRoot,
  ConfigurationError,
  DomainEvent,
  EVENT_STORE,
  EventBus,
  EventSourcingModule,
  InjectAggregateRepository,
  InjectRepository,
  InMemoryEventBus,
  InMemoryEventStore,
  OnEvent,
  RegisterEvent,
  getRepositoryToken,
  type DomainEventBus,
  type EventSourcingLogger,
  type EventSourcingModuleOptions,
  type EventStore,
} from '../../lib/index.js';

@RegisterEvent('ModuleOptionsSpec.TaskOpened')
class TaskOpened extends DomainEvent<TaskOpened> {
  static readonly aggregateType = 'Task';
  @IsString() readonly title!: string;
}

interface TaskState {
  title: string | null;
}

class TaskAggregate extends AggregateRoot<TaskState> {
  static readonly aggregateType = 'Task';
  protected getInitialState(): TaskState {
    return { title: null };
  }
  protected evolve(event: DomainEvent): void {
    if (event instanceof TaskOpened) this.state = { title: event.title };
  }
  open(title: string): void {
    this.applyEvent(new TaskOpened({ aggregateId: this.aggregateId, title, aggregateVersion: this.getNextVersion() }));
  }
}

@Injectable()
class OpenedTasks {
  readonly titles: string[] = [];
  @OnEvent(TaskOpened)
  opened(event: TaskOpened) {
    this.titles.push(event.title);
  }
}

@Controller('tasks')
class TasksController {
  constructor(
    @InjectRepository(TaskAggregate) private readonly tasks: AggregateRepository<TaskAggregate>,
    @InjectAggregateRepository(TaskAggregate) private readonly sameTasks: AggregateRepository<TaskAggregate>,
    @Inject(EventBus) private readonly bus: DomainEventBus,
  ) {}

  @Post()
  async open(@Body() body: { title: string }) {
    const task = this.tasks.createNew(randomUUID());
    task.open(body.title);
    await this.tasks.save(task);
    return { id: task.aggregateId, version: task.version };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const task = await this.sameTasks.load(id);
    return { ...task.state, version: task.version, published: this.bus.getStats().eventsPublished };
  }
}

@Module({ imports: [EventSourcingModule.forFeature([TaskAggregate])], controllers: [TasksController], providers: [OpenedTasks] })
class TasksModule {}

const CONFIG = 'ModuleOptionsSpec.CONFIG';
@Module({ providers: [{ provide: CONFIG, useValue: { background: false } }], exports: [CONFIG] })
class FakeConfigModule {}

describe('EventSourcingModule options and injection', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('forFeature + @InjectRepository serve a controller over HTTP', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [EventSourcingModule.forRoot({}), TasksModule] }).compile();
    app = await moduleRef.createNestApplication().init();
    const created = await request(app.getHttpServer()).post('/tasks').send({ title: 'write docs' }).expect(201);
    expect(created.body.version).toBe(1);
    const loaded = await request(app.getHttpServer()).get(`/tasks/${created.body.id}`).expect(200);
    expect(loaded.body).toEqual({ title: 'write docs', version: 1, published: 1 });
    expect(app.get(OpenedTasks).titles).toEqual(['write docs']);
    expect(app.get(getRepositoryToken(TaskAggregate))).toBeInstanceOf(AggregateRepository);
  });

  it('forRootAsync builds the options from injected providers', async () => {
    const lines: string[] = [];
    const logger: EventSourcingLogger = { log: (m) => void lines.push(m), warn: () => undefined, error: () => undefined };
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRootAsync({
          imports: [FakeConfigModule],
          inject: [CONFIG],
          useFactory: async (config: { background: boolean }): Promise<EventSourcingModuleOptions> => ({
            transport: { type: 'memory' },
            eventStore: { type: 'memory' },
            publishInBackground: config.background,
            logger,
          }),
        }),
        TasksModule,
      ],
    }).compile();
    app = await moduleRef.createNestApplication().init();
    expect(app.get(EventBus)).toBeInstanceOf(InMemoryEventBus);
    expect(app.get(EVENT_STORE)).toBeInstanceOf(InMemoryEventStore);
    expect(lines).toContain('OpenedTasks.opened -> ModuleOptionsSpec.TaskOpened');
    await request(app.getHttpServer()).post('/tasks').send({ title: 'async' }).expect(201);
    expect(app.get(OpenedTasks).titles).toEqual(['async']);
  });

  it('uses an EventStore instance passed as eventStore and exposes it as EVENT_STORE', async () => {
    const store: EventStore = new InMemoryEventStore();
    const moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({ eventStore: store }), TasksModule],
    }).compile();
    app = await moduleRef.createNestApplication().init();
    expect(app.get(EVENT_STORE)).toBe(store);
    const created = await request(app.getHttpServer()).post('/tasks').send({ title: 'stored' }).expect(201);
    expect((await store.getEvents(created.body.id)).version).toBe(1);
  });

  describe('rejects invalid options at bootstrap, naming key and value', () => {
    const cases: Array<[string, unknown, string, unknown]> = [
      ['an unknown transport type', { transport: { type: 'nats' } }, 'transport.type', 'nats'],
      ['a transport that is not an object', { transport: 'redis' }, 'transport', 'redis'],
      [
        'redis without consumerGroup',
        { transport: { type: 'redis', redisUrl: 'redis://localhost:6379' } },
        'transport.consumerGroup',
        undefined,
      ],
      ['rabbitmq with an empty consumerGroup', { transport: { type: 'rabbitmq', consumerGroup: '' } }, 'transport.consumerGroup', ''],
      ['kafka without consumerGroup', { transport: { type: 'kafka' } }, 'transport.consumerGroup', undefined],
      ['a non-boolean consume flag', { transport: { type: 'kafka', consumerGroup: 'g', consume: 'yes' } }, 'transport.consume', 'yes'],
      ['an event store of unknown type', { eventStore: { type: 'mongo' } }, 'eventStore.type', 'mongo'],
      ['an event store that is neither', { eventStore: 42 }, 'eventStore', 42],
      ['a negative shutdown timeout', { shutdownTimeoutMs: -1 }, 'shutdownTimeoutMs', -1],
      ['a misspelt option', { shutdownTimeout: 5 }, 'shutdownTimeout', 5],
      ['a logger without warn()', { logger: { error() {} } }, 'logger', expect.anything()],
    ];
    it.each(cases)('%s', async (_label, options, key, value) => {
      const compiling = Test.createTestingModule({
        imports: [EventSourcingModule.forRoot(options as EventSourcingModuleOptions)],
      }).compile();
      const error = await compiling.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).key).toBe(key);
      expect((error as ConfigurationError).value).toEqual(value);
      expect((error as Error).message).toContain(key);
    });

    it('the same through forRootAsync', async () => {
      const compiling = Test.createTestingModule({
        imports: [
          EventSourcingModule.forRootAsync({
            useFactory: () => ({ transport: { type: 'redis' } }) as unknown as EventSourcingModuleOptions,
          }),
        ],
      }).compile();
      await expect(compiling).rejects.toMatchObject({ name: 'ConfigurationError', key: 'transport.consumerGroup' });
    });
  });
});
