import { Module } from '@nestjs/common';
import { EventSourcingModule } from 'nestjs-eventsource';
import { OrderAggregate } from './order.aggregate';
import { OrderPlacedHandler } from './order-placed.handler';
import { OrdersController } from './orders.controller';

@Module({
  imports: [EventSourcingModule.forFeature([OrderAggregate])],
  controllers: [OrdersController],
  providers: [OrderPlacedHandler],
})
export class OrdersModule {}
