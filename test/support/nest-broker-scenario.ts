/**
 * One scenario, run by test/e2e/nest-<broker>.e2e-spec.ts against each real broker: the Nest
 * module builds the broker bus, starts consumers only where handlers are bound (or consume is
 * forced), delivers to every consumer group, warns about the in-memory store, and app.close()
 * drains and disconnects, leaving no sockets open.
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BusClosedError,
  DomainEvent,
  EventBus,
  EventSourcingModule,
  OnEvent,
  RegisterEvent,
  type TransportOptions,
} from '../../lib/index.js';
import { waitFor } from './wait-for.js';

@RegisterEvent('NestBrokerScenario.ParcelSent')
export class ParcelSent extends DomainEvent<ParcelSent> {
  static readonly aggregateType = 'Parcel';
  @IsString() readonly destination!: string;
}

@Injectable()
class ParcelCollector {
  readonly ids = new Set<string>();
  @OnEvent(ParcelSent)
  sent(event: ParcelSent) {
    this.ids.add(event.eventId);
  }
}

interface HealthReporting {
  healthCheck(): Promise<{ details: Record<string, unknown> }>;
}

export interface NestBrokerScenarioOptions {
  /** The transport for one consumer group, with this file's unique names. */
  transport(group: string, consume?: boolean): TransportOptions;
  /** Removes the streams / exchanges / queues / topics the scenario created. */
  cleanup(groups: string[]): Promise<void>;
  timeoutMs?: number;
}

export function nestBrokerScenario(label: string, available: boolean, options: NestBrokerScenarioOptions): void {
  const suffix = randomUUID().slice(0, 8);
  const groups = { orders: `orders-${suffix}`, billing: `billing-${suffix}`, publisher: `publisher-${suffix}`, idle: `idle-${suffix}` };
  const timeoutMs = options.timeoutMs ?? 60_000;

  describe.skipIf(!available)(`${label} transport through EventSourcingModule`, () => {
    afterAll(() => options.cleanup(Object.values(groups)), timeoutMs);

    it(
      'consumes only where handlers are bound, reaches every group, and closes without open sockets',
      async () => {
        const socketsBefore = openSockets();
        const warnings: string[] = [];
        const logger = { warn: (m: string) => void warnings.push(m), error: () => undefined };
        const boot = async (group: string, withHandler: boolean, consume?: boolean) => {
          const moduleRef = await Test.createTestingModule({
            imports: [EventSourcingModule.forRoot({ transport: options.transport(group, consume), logger, shutdownTimeoutMs: 10_000 })],
            providers: withHandler ? [ParcelCollector] : [],
          }).compile();
          return moduleRef.createNestApplication().init();
        };
        const apps = await Promise.all([
          boot(groups.orders, true),
          boot(groups.billing, true),
          boot(groups.publisher, false),
          boot(groups.idle, true, false),
        ]);
        const [orders, billing, publisher, idle] = apps;
        try {
          const consuming = async (app: (typeof apps)[number]) =>
            (await (app.get(EventBus) as unknown as HealthReporting).healthCheck()).details.consuming;
          expect(await consuming(orders)).toBe(true);
          expect(await consuming(billing)).toBe(true);
          expect(await consuming(publisher)).toBe(false);
          expect(await consuming(idle)).toBe(false);
          expect(warnings.filter((w) => w.includes('in-memory event store'))).toHaveLength(4);
          expect(openSockets()).toBeGreaterThan(socketsBefore);

          const events = ['Lyon', 'Porto', 'Oslo'].map((destination) => new ParcelSent({ aggregateId: randomUUID(), destination }));
          await publisher.get(EventBus).publish(events);
          const ids = events.map((e) => e.eventId).sort();
          await waitFor(() => orders.get(ParcelCollector).ids.size === 3 && billing.get(ParcelCollector).ids.size === 3, timeoutMs / 2);
          expect([...orders.get(ParcelCollector).ids].sort()).toEqual(ids);
          expect([...billing.get(ParcelCollector).ids].sort()).toEqual(ids);
          expect(idle.get(ParcelCollector).ids.size).toBe(0);
        } finally {
          await Promise.all(apps.map((app) => app.close()));
        }
        await expect(
          orders.get(EventBus).publish([new ParcelSent({ aggregateId: randomUUID(), destination: 'x' })]),
        ).rejects.toBeInstanceOf(BusClosedError);
        await waitFor(() => openSockets() <= socketsBefore, 10_000);
      },
      timeoutMs,
    );

    it(
      'consume: true starts a consumer even without handlers',
      async () => {
        const moduleRef = await Test.createTestingModule({
          imports: [
            EventSourcingModule.forRoot({
              transport: options.transport(groups.publisher, true),
              logger: { warn: () => undefined, error: () => undefined },
            }),
          ],
        }).compile();
        const app = await moduleRef.createNestApplication().init();
        try {
          expect((await (app.get(EventBus) as unknown as HealthReporting).healthCheck()).details.consuming).toBe(true);
        } finally {
          await app.close();
        }
      },
      timeoutMs,
    );
  });
}

/** TCP sockets this process holds open (broker connections). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap').length;
}
