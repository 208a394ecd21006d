import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '../../../lib/index.js';
import { OrderCancelled, OrderShipped } from './order.events.js';

/** Stands in for e-mail: tells the customer when their order ships or is cancelled. */
@Injectable()
export class NotificationHandler {
  private readonly logger = new Logger(NotificationHandler.name);
  private readonly notified = new Set<string>();

  @OnEvent(OrderShipped)
  shipped(event: OrderShipped): void {
    this.notifyOnce(event.eventId, `Order ${event.aggregateId} shipped, tracking number ${event.trackingNumber}`);
  }

  @OnEvent(OrderCancelled)
  cancelled(event: OrderCancelled): void {
    this.notifyOnce(event.eventId, `Order ${event.aggregateId} cancelled: ${event.reason}`);
  }

  get notificationsSent(): number {
    return this.notified.size;
  }

  // Delivery is at least once on broker transports: remember event ids so a redelivery sends nothing.
  private notifyOnce(eventId: string, message: string): void {
    if (this.notified.has(eventId)) return;
    this.notified.add(eventId);
    this.logger.log(message);
  }
}
