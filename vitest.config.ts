import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    // swc keeps decorator metadata (Nest DI, class-validator) that esbuild drops.
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
        target: 'es2022',
      },
    }),
  ],
  test: {
    include: ['test/**/*.{spec,e2e-spec,int-spec}.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Broker suites share one Redis/RabbitMQ/Kafka: files run in parallel on distinct names.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
