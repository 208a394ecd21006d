import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BusClosedError, EventBus, getRepositoryToken, AggregateRepository } from 'nestjs-eventsource';
import request from 'supertest';
import { AppModule } from '../app.module';
import { OrderAggregate } from './order.aggregate';
import { OrderPlaced } from './order-placed.event';
import { OrderPlacedHandler } from './order-placed.handler';

describe('nestjs-eventsource in a Nest 11 CommonJS app', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('loads the CommonJS build', () => {
    expect(require.resolve('nestjs-eventsource')).toMatch(/dist[\\/]cjs[\\/]index\.js$/);
  });

  it('keeps payload fields under define semantics (target ES2023)', () => {
    const event = new OrderPlaced({ aggregateId: '6f1c1a53-2d0c-4c55-9a7e-0a3d52b8d6a1', customerName: 'Alice', totalAmount: 10 });
    expect(event.customerName).toBe('Alice');
    expect(event.totalAmount).toBe(10);
    expect(event.eventType).toBe('OrderPlaced');
    expect(Object.isFrozen(event)).toBe(true);
  });

  it('saves through the injected repository and delivers to the @OnEvent handler once', async () => {
    const created = await request(app.getHttpServer()).post('/orders').send({ customerName: 'Bob', totalAmount: 25 }).expect(201);
    expect(created.body.version).toBe(1);

    const handler = app.get(OrderPlacedHandler);
    expect(handler.received).toHaveLength(1);
    expect(handler.received[0]).toBeInstanceOf(OrderPlaced);
    expect(handler.received[0].customerName).toBe('Bob');

    const loaded = await request(app.getHttpServer()).get(`/orders/${created.body.id}`).expect(200);
    expect(loaded.body).toEqual({ id: created.body.id, version: 1, customerName: 'Bob', totalAmount: 25 });
    expect(app.get(getRepositoryToken(OrderAggregate))).toBeInstanceOf(AggregateRepository);
    expect(app.get(EventBus).getStats().eventsPublished).toBe(1);
  });

  it('closes the bus with the app', async () => {
    const bus = app.get(EventBus);
    await app.close();
    await expect(bus.publish([new OrderPlaced({ aggregateId: '6f1c1a53-2d0c-4c55-9a7e-0a3d52b8d6a1', customerName: 'C', totalAmount: 1 })])).rejects.toBeInstanceOf(
      BusClosedError,
    );
    app = undefined as unknown as INestApplication;
  });
});
