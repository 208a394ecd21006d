import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { AggregateRepository, InjectRepository } from 'nestjs-eventsource';
import { OrderAggregate } from './order.aggregate';

@Controller('orders')
export class OrdersController {
  constructor(@InjectRepository(OrderAggregate) private readonly orders: AggregateRepository<OrderAggregate>) {}

  @Post()
  async place(@Body() body: { customerName: string; totalAmount: number }) {
    const order = this.orders.createNew(randomUUID());
    order.place(body.customerName, body.totalAmount);
    await this.orders.save(order);
    return { id: order.aggregateId, version: order.version };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const order = await this.orders.load(id);
    return { id, version: order.version, ...order.state };
  }
}
