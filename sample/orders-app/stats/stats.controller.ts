import { Controller, Get, Inject } from '@nestjs/common';
import { EventBus, type EventBusStats } from '../../../lib/index.js';
import { NotificationHandler } from '../orders/notification.handler.js';
import { OrderSummaryProjection, type OrderSummary } from '../orders/order-summary.projection.js';

@Controller('stats')
export class StatsController {
  constructor(
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(OrderSummaryProjection) private readonly orders: OrderSummaryProjection,
    @Inject(NotificationHandler) private readonly notifications: NotificationHandler,
  ) {}

  @Get()
  stats(): { bus: EventBusStats; orders: OrderSummary; notificationsSent: number } {
    return { bus: this.bus.getStats(), orders: this.orders.summary(), notificationsSent: this.notifications.notificationsSent };
  }
}
