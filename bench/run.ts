import 'reflect-metadata';
import { writeChart } from './harness/chart.js';
import { writeGeneratedSection } from './harness/doc-section.js';
import { suiteMarkdown } from './harness/markdown.js';
import { readAllResults } from './harness/results.js';
import type { BenchSuite } from './harness/suite.js';
import { banner } from './harness/table.js';

/** Suite name → loader, so a suite's imports (and its broker client) load only when it runs. */
const SUITES: Record<string, () => Promise<BenchSuite>> = {
  'in-process': async () => (await import('./suites/in-process.bench.js')).inProcessSuite,
  memory: async () => (await import('./suites/memory.bench.js')).memorySuite,
  redis: async () => (await import('./suites/redis.bench.js')).redisSuite,
  rabbitmq: async () => (await import('./suites/rabbitmq.bench.js')).rabbitmqSuite,
  kafka: async () => (await import('./suites/kafka.bench.js')).kafkaSuite,
};

async function main(): Promise<number> {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = requested.filter((name) => !(name in SUITES));
  if (unknown.length > 0) {
    console.error(`Unknown suite(s): ${unknown.join(', ')}. Available: ${Object.keys(SUITES).join(', ')}`);
    return 2;
  }
  const names = requested.length > 0 ? requested : Object.keys(SUITES);
  const outcome: Record<string, string> = {};
  let failed = false;
  for (const name of names) {
    try {
      const suite = await SUITES[name]();
      outcome[name] = await suite.run();
    } catch (error) {
      failed = true;
      outcome[name] = 'FAILED';
      console.error(`\nSuite '${name}' failed:`, error);
    }
  }
  let chart: string;
  try {
    chart = writeChart(readAllResults());
  } catch (error) {
    failed = true;
    chart = `not written: ${(error as Error).message}`;
  }
  let tables: string;
  try {
    tables = writeGeneratedSection('benchmarks.md', 'figures', readAllResults().map(suiteMarkdown).join('\n\n'));
  } catch (error) {
    failed = true;
    tables = `not written: ${(error as Error).message}`;
  }
  banner('summary');
  for (const [name, result] of Object.entries(outcome))
    console.log(`  ${name.padEnd(12)} ${result === 'skipped' ? 'SKIPPED (broker unreachable)' : result}`);
  console.log(`  chart: ${chart}`);
  console.log(`  tables: ${tables}`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
