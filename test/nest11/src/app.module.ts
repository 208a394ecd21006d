import { Module } from '@nestjs/common';
import { EventSourcingModule } from 'nestjs-eventsource';
import { OrdersModule } from './orders/orders.module';

@Module({
  imports: [EventSourcingModule.forRoot({ transport: { type: 'memory' } }), OrdersModule],
})
export class AppModule {}
