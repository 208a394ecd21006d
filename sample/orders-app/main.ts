/**
 * The orders sample: a Nest HTTP app on nestjs-eventsource.
 * Run with: npm start   (EVENT_BUS=memory|redis|rabbitmq|kafka, EVENT_STORE=memory|postgres, PORT=3000)
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // SIGTERM / SIGINT run the module's shutdown: consumers drain, connections close.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  console.log(`Orders app listening on http://localhost:${port}`);
}

void bootstrap();
