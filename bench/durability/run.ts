import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
import { requireBroker, strictMode } from '../harness/broker-probe.js';
import { machineInfo, RESULTS_DIR } from '../harness/results.js';
import { banner, printTable } from '../harness/table.js';
import { BROKERS, brokerSpec, type BrokerName, type DurableBus } from './brokers.js';
import type { RunSpec, ScenarioKey } from './child-env.js';
import { countLines, readHandled, readPublished } from './verify.js';
import { writeFileSync } from 'node:fs';
import { writeGeneratedSection } from '../harness/doc-section.js';
import { durabilityMarkdown, type DurabilityReport } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCENARIOS: ScenarioKey[] = ['consumer-killed', 'connection-cut', 'poison', 'garbage'];
const EVENTS = Number(process.env.DURABILITY_EVENTS ?? 20_000);
const AGGREGATES = Number(process.env.DURABILITY_AGGREGATES ?? 500);
const RATE = Number(process.env.DURABILITY_RATE ?? 2_000);
const TIMEOUT_MS = Number(process.env.DURABILITY_TIMEOUT_MS ?? 240_000);
const CUT_MS = 5_000;

export interface ScenarioResult {
  broker: BrokerName;
  scenario: ScenarioKey;
  published: number;
  acknowledged: number;
  garbageInjected: number;
  handled: number;
  duplicates: number;
  lost: number;
  deadLettered: number;
  expectedDeadLetters: number;
  orderViolations: number;
  orderRequired: boolean;
  publishRetries: number;
  wallSeconds: number;
  completed: boolean;
  fault: string;
  /** Connections the proxy accepted: more than the initial ones means clients reconnected. */
  proxyConnections: number;
  /** Stats of the consumer that finished the run (the restarted one after a SIGKILL). */
  consumerStats: Record<string, unknown>;
  ok: boolean;
}

function spawn(role: 'consumer' | 'publisher', spec: RunSpec): ChildProcess {
  return fork(join(HERE, `${role}.ts`), [], {
    execArgv: ['--import', '@swc-node/register/esm-register'],
    env: { ...process.env, DURABILITY_RUN: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage(child: ChildProcess, type: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${type}' from child ${child.pid} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: Record<string, unknown>) => {
      if (m?.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child ${child.pid} exited (${code}) before '${type}'`));
    });
  });
}

async function startConsumer(spec: RunSpec): Promise<ChildProcess> {
  const child = spawn('consumer', spec);
  await nextMessage(child, 'ready', 90_000);
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function runScenario(broker: BrokerName, scenario: ScenarioKey): Promise<ScenarioResult> {
  const spec = brokerSpec(broker);
  const proxy = new TcpProxy(spec.host, spec.port);
  const viaPort = await proxy.start();
  const dir = mkdtempSync(join(tmpdir(), `durability-${broker}-`));
  const run: RunSpec = {
    broker,
    scenario,
    names: { base: `durability-${scenario}-${Date.now().toString(36)}`, group: 'durability' },
    viaPort,
    dir,
    events: EVENTS,
    aggregates: AGGREGATES,
    ratePerSec: RATE,
  };
  const Bus = await spec.loadBus();
  const inspector: DurableBus = new Bus(spec.busConfig(run.names, spec.port), { logger: { error() {}, warn() {} } });
  let consumer = await startConsumer(run);
  const started = Date.now();
  const publisher = spawn('publisher', run);
  let publisherDone: Record<string, unknown> | undefined;
  void nextMessage(publisher, 'done', TIMEOUT_MS).then(
    (m) => (publisherDone = m),
    () => undefined,
  );
  let fault = 'none';
  let completed = false;
  let lastDlqCheck = 0;
  while (Date.now() - started < TIMEOUT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const handledLines = countLines(dir, 'handled.log');
    if (fault === 'none' && handledLines >= EVENTS * 0.25) {
      if (scenario === 'consumer-killed') {
        consumer.kill('SIGKILL');
        await exited(consumer);
        fault = `consumer SIGKILLed after ${handledLines} handled, restarted`;
        consumer = await startConsumer(run);
      } else if (scenario === 'connection-cut') {
        proxy.refuse(CUT_MS);
        fault = `connections cut and refused for ${CUT_MS} ms after ${handledLines} handled`;
      } else fault = scenario === 'poison' ? '1% poison events' : '1% garbage messages';
    }
    if (!publisherDone || Date.now() - lastDlqCheck < 1_000) continue;
    lastDlqCheck = Date.now();
    const published = readPublished(dir);
    const handled = readHandled(dir);
    const missing = [...published.acked].filter((id) => !handled.distinct.has(id) && !published.poison.has(id)).length;
    const expectedDlq = published.poison.size + Number(publisherDone.garbage ?? 0);
    if (missing === 0 && (await inspector.getDlqMessageCount().catch(() => -1)) >= expectedDlq) {
      completed = true;
      break;
    }
  }
  const wallSeconds = (Date.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // late duplicates still count
  const stopped = nextMessage(consumer, 'stopped', 20_000).catch(() => ({}) as Record<string, unknown>);
  consumer.send({ type: 'stop' });
  const consumerStats = ((await stopped).stats ?? {}) as Record<string, unknown>;
  await Promise.race([exited(consumer), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  if (consumer.exitCode === null) consumer.kill('SIGKILL');
  if (publisher.exitCode === null) publisher.kill('SIGKILL');
  const proxyConnections = proxy.connectionsAccepted;
  await proxy.stop();

  const published = readPublished(dir);
  const handled = readHandled(dir);
  const letters = await inspector.getDlqMessages(100_000);
  const lettered = new Set(letters.map((l) => l.eventId).filter((id): id is string => typeof id === 'string'));
  await inspector.shutdown(5_000);
  await spec.cleanup(run.names);
  const garbageInjected = Number(publisherDone?.garbage ?? 0);
  const lost = [...published.acked].filter((id) => !handled.distinct.has(id) && !lettered.has(id)).length;
  const expectedDeadLetters = published.poison.size + garbageInjected;
  const orderRequired = broker === 'kafka' || scenario !== 'consumer-killed';
  const ok = completed && lost === 0 && letters.length === expectedDeadLetters && (!orderRequired || handled.orderViolations === 0);
  if (ok) rmSync(dir, { recursive: true, force: true });
  else console.log(`  logs kept in ${dir}`);
  return {
    broker,
    scenario,
    published: EVENTS,
    acknowledged: published.acked.size,
    garbageInjected,
    handled: handled.distinct.size,
    duplicates: handled.duplicates,
    lost,
    deadLettered: letters.length,
    expectedDeadLetters,
    orderViolations: handled.orderViolations,
    orderRequired,
    publishRetries: Number(publisherDone?.failures ?? 0),
    wallSeconds,
    completed,
    fault,
    proxyConnections,
    consumerStats: pick(consumerStats, ['eventsConsumed', 'messagesRetried', 'messagesRecovered', 'messagesSentToDlq', 'reconnections']),
    ok,
  };
}

function pick(from: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in from).map((k) => [k, from[k]]));
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const brokers = (requested.filter((a) => (BROKERS as string[]).includes(a)) as BrokerName[]).concat();
  const scenarios = requested.filter((a) => (SCENARIOS as string[]).includes(a)) as ScenarioKey[];
  const results: ScenarioResult[] = [];
  let failed = false;
  for (const broker of brokers.length ? brokers : BROKERS) {
    const spec = brokerSpec(broker);
    if (!(await requireBroker(`durability/${broker}`, broker, spec.host, spec.port))) continue;
    for (const scenario of scenarios.length ? scenarios : SCENARIOS) {
      banner(`durability: ${broker} / ${scenario}: ${EVENTS} events over ${AGGREGATES} aggregates at ${RATE}/s`);
      try {
        const result = await runScenario(broker, scenario);
        results.push(result);
        failed ||= !result.ok;
        console.log(`  ${result.ok ? 'OK' : 'FAILED'}: ${JSON.stringify(result)}`);
      } catch (error) {
        failed = true;
        console.error(`  ${broker}/${scenario} could not run:`, error);
      }
    }
  }
  banner('durability summary');
  printTable(
    [
      'broker',
      'scenario',
      'published',
      'acked',
      'garbage',
      'handled',
      'dupes',
      'lost',
      'DLQ',
      'DLQ expected',
      'order viol.',
      'reconnects',
      'wall s',
      'result',
    ],
    results.map((r) => [
      r.broker,
      r.scenario,
      r.published,
      r.acknowledged,
      r.garbageInjected,
      r.handled,
      r.duplicates,
      r.lost,
      r.deadLettered,
      r.expectedDeadLetters,
      `${r.orderViolations}${r.orderRequired ? '' : ' (allowed)'}`,
      String((r.consumerStats.reconnections as number | undefined) ?? '—'),
      r.wallSeconds,
      r.ok ? 'OK' : 'FAILED',
    ]),
  );
  const report: DurabilityReport = {
    suite: 'durability',
    date: new Date().toISOString(),
    machine: machineInfo(),
    config: { events: EVENTS, aggregates: AGGREGATES, ratePerSec: RATE, cutMs: CUT_MS, retryBaseDelayMs: 20, strict: strictMode() },
    results,
  };
  const file = join(RESULTS_DIR, 'durability.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
  if (brokers.length === 0 && scenarios.length === 0 && results.length === BROKERS.length * SCENARIOS.length) {
    console.log(`wrote ${writeGeneratedSection('durability.md', 'results', durabilityMarkdown(report))}`);
  } else {
    console.log('docs/durability.md left as it was: only a full run (every broker, every scenario) rewrites its tables');
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
