import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRepositoryToken, type AggregateRepository } from '../../lib/index.js';
import { OrderAggregate } from '../../sample/orders-app/orders/order.aggregate.js';
import { AppModule } from '../../sample/orders-app/app.module.js';

describe('orders sample app over HTTP (in-memory transport and store)', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    process.env.EVENT_BUS = 'memory';
    process.env.EVENT_STORE = 'memory';
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = await moduleRef.createNestApplication().init();
  });

  afterAll(async () => {
    await app?.close();
  });

  async function placeOrder(customerName: string, totalAmount: number): Promise<string> {
    const response = await http().post('/orders').send({ customerName, totalAmount }).expect(201);
    return response.body.id as string;
  }

  it('places, ships and cancels orders, and reports the stats', async () => {
    const placed = await http().post('/orders').send({ customerName: 'Alice', totalAmount: 99.99 }).expect(201);
    expect(placed.body).toMatchObject({ version: 1, status: 'placed', customerName: 'Alice', totalAmount: 99.99 });
    const aliceId = placed.body.id as string;
    const bobId = await placeOrder('Bob', 10);

    const shipped = await http().post(`/orders/${aliceId}/ship`).send({ trackingNumber: 'TRACK-1' }).expect(200);
    expect(shipped.body).toMatchObject({ id: aliceId, version: 2, status: 'shipped', trackingNumber: 'TRACK-1' });
    const cancelled = await http().post(`/orders/${bobId}/cancel`).send({ reason: 'changed my mind' }).expect(200);
    expect(cancelled.body).toMatchObject({ version: 2, status: 'cancelled', cancellationReason: 'changed my mind' });

    const loaded = await http().get(`/orders/${aliceId}`).expect(200);
    expect(loaded.body).toEqual({
      id: aliceId,
      version: 2,
      status: 'shipped',
      customerName: 'Alice',
      totalAmount: 99.99,
      trackingNumber: 'TRACK-1',
      cancellationReason: null,
    });

    const stats = await http().get('/stats').expect(200);
    expect(stats.body.orders).toEqual({ totalOrders: 2, placed: 0, shipped: 1, cancelled: 1, revenue: 99.99 });
    expect(stats.body.notificationsSent).toBe(2);
    // 4 events; the projection handled 4 and the notification handler 2.
    expect(stats.body.bus).toEqual({
      eventsPublished: 4,
      handlersInvoked: 6,
      handlerErrors: 0,
      backgroundTasksCreated: 0,
      backgroundTasksCompleted: 0,
    });
  });

  it('answers 400 with the failing fields for an invalid body', async () => {
    const response = await http().post('/orders').send({ customerName: '', totalAmount: 'lots' }).expect(400);
    expect(response.body.message).toEqual(
      expect.arrayContaining(['customerName should not be empty', expect.stringMatching(/^totalAmount /)]),
    );
    await http().post('/orders').send({ customerName: 'Eve', totalAmount: 5, admin: true }).expect(400);
    const id = await placeOrder('Carol', 3);
    const ship = await http().post(`/orders/${id}/ship`).send({}).expect(400);
    expect(ship.body.message).toContain('trackingNumber should not be empty');
  });

  it('answers 404 for an unknown order and 400 for an id that is not a uuid', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const response = await http().get(`/orders/${unknown}`).expect(404);
    expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    await http().post(`/orders/${unknown}/ship`).send({ trackingNumber: 'T' }).expect(404);
    await http().get('/orders/42').expect(400);
  });

  it('answers 409 for a transition the order does not allow', async () => {
    const id = await placeOrder('Dave', 20);
    await http().post(`/orders/${id}/ship`).send({ trackingNumber: 'T-2' }).expect(200);
    const response = await http().post(`/orders/${id}/cancel`).send({ reason: 'too late' }).expect(409);
    expect(response.body.message).toBe(`Order ${id} is shipped: it cannot be cancelled.`);
    await http().post(`/orders/${id}/ship`).send({ trackingNumber: 'T-3' }).expect(409);
  });

  it('answers 409 to the loser of two concurrent commands on one order', async () => {
    const id = await placeOrder('Erin', 30);
    const [ship, cancel] = await Promise.all([
      http().post(`/orders/${id}/ship`).send({ trackingNumber: 'T-4' }),
      http().post(`/orders/${id}/cancel`).send({ reason: 'race' }),
    ]);
    expect([ship.status, cancel.status].sort()).toEqual([200, 409]);
    const loaded = await http().get(`/orders/${id}`).expect(200);
    expect(loaded.body.version).toBe(2);
  });

  it('answers 409 when another writer changed the order first (OptimisticLockError)', async () => {
    const id = await placeOrder('Frank', 40);
    const repository = app.get<AggregateRepository<OrderAggregate>>(getRepositoryToken(OrderAggregate));
    const stale = await repository.load(id);
    await http().post(`/orders/${id}/ship`).send({ trackingNumber: 'T-5' }).expect(200);
    // The next command works on the copy loaded before the shipment, as a slower instance would.
    const load = vi.spyOn(repository, 'load').mockResolvedValueOnce(stale);
    const response = await http().post(`/orders/${id}/cancel`).send({ reason: 'stale' }).expect(409);
    load.mockRestore();
    expect(response.body.message).toMatch(/^Optimistic lock failed for aggregate .*: expected version 1, but the store is at version 2/);
  });
});
