import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventSourcingModule } from '../../lib/index.js';
import { LibraryErrorsFilter } from './library-errors.filter.js';
import { OrdersModule } from './orders/orders.module.js';
import { StatsController } from './stats/stats.controller.js';
import { eventStoreFromEnv, transportFromEnv } from './transport.config.js';

@Module({
  imports: [
    // Read at bootstrap, so EVENT_BUS / EVENT_STORE set for the process are honoured.
    EventSourcingModule.forRootAsync({
      useFactory: () => ({ transport: transportFromEnv(), eventStore: eventStoreFromEnv(), shutdownTimeoutMs: 10_000 }),
    }),
    OrdersModule,
  ],
  controllers: [StatsController],
  providers: [
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
    { provide: APP_FILTER, useClass: LibraryErrorsFilter },
  ],
})
export class AppModule {}
