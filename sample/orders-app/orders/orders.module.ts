import { Module } from '@nestjs/common';
import { EventSourcingModule } from '../../../lib/index.js';
import { NotificationHandler } from './notification.handler.js';
import { OrderAggregate } from './order.aggregate.js';
import { OrderSummaryProjection } from './order-summary.projection.js';
import { OrdersController } from './orders.controller.js';

@Module({
  imports: [EventSourcingModule.forFeature([OrderAggregate])],
  controllers: [OrdersController],
  providers: [OrderSummaryProjection, NotificationHandler],
  exports: [OrderSummaryProjection, NotificationHandler],
})
export class OrdersModule {}
