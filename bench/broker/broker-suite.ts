import { makeEvents, payloadBytes } from '../harness/events.js';
import { requireBroker } from '../harness/broker-probe.js';
import { machineInfo, metric, ratio, writeResult, type SuiteResult } from '../harness/results.js';
import { envInt, ratiosPerRound, runRounds, type Contender } from '../harness/rounds.js';
import { banner, printMetrics, printRatios, printTable } from '../harness/table.js';
import { endToEnd, latencyAtFixedLoad, publishOnly } from './drivers.js';
import { CONSUMER_CONCURRENCY, PUBLISH_LIST_SIZE, type BrokerContender } from './session.js';

export interface BrokerSuiteSpec {
  suite: string;
  title: string;
  broker: string;
  host: string;
  port: number;
  /** Ours first. Returns undefined (with a loud message) when our bus class does not exist yet. */
  contenders(): Promise<BrokerContender[] | undefined>;
}

interface PassMetrics {
  publishPerSec: number;
  endToEndPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export async function runBrokerSuite(spec: BrokerSuiteSpec): Promise<'done' | 'skipped'> {
  if (!(await requireBroker(spec.suite, spec.broker, spec.host, spec.port))) return 'skipped';
  const contenders = await spec.contenders();
  if (!contenders) return 'skipped';
  const count = envInt('BENCH_EVENTS', 100_000);
  const rounds = envInt('BENCH_ROUNDS', 5);
  const rate = envInt('BENCH_LATENCY_RATE', 2_000);
  const latencySeconds = envInt('BENCH_LATENCY_SECONDS', 5);
  const warmupEvents = Math.min(count, envInt('BENCH_WARMUP_EVENTS', 10_000));
  const timeoutMs = envInt('BENCH_E2E_TIMEOUT_MS', 300_000);
  banner(
    `${spec.suite}: ${count.toLocaleString('en-US')} events in lists of ${PUBLISH_LIST_SIZE}, ${rounds} rounds + 1 warm-up of ${warmupEvents.toLocaleString('en-US')}; latency at ${rate}/s for ${latencySeconds} s`,
  );
  const events = makeEvents(count, 500);
  const latencyEvents = events.slice(0, Math.min(count, rate * latencySeconds));
  const passes: Contender<PassMetrics>[] = contenders.map((c) => ({
    name: c.name,
    async run(round) {
      const list = round === 0 ? events.slice(0, warmupEvents) : events;
      const publishPerSec = await publishOnly(c, list);
      const endToEndPerSec = await endToEnd(c, list, timeoutMs);
      const latency = await latencyAtFixedLoad(c, round === 0 ? latencyEvents.slice(0, rate) : latencyEvents, rate, timeoutMs);
      return { publishPerSec, endToEndPerSec, p50Ms: latency.p50Ms, p99Ms: latency.p99Ms };
    },
  }));
  const results = await runRounds(passes, {
    rounds,
    warmupRounds: 1,
    onPass: (round, name, m, warmup) => {
      const p = m as PassMetrics;
      console.log(
        `  ${warmup ? 'warm-up' : `round ${round}`}  ${name.padEnd(36)} publish ${fmt(p.publishPerSec)}/s  end-to-end ${fmt(p.endToEndPerSec)}/s  p50 ${p.p50Ms.toFixed(1)} ms  p99 ${p.p99Ms.toFixed(1)} ms`,
      );
    },
  });
  const ours = contenders[0].name;
  const summary: SuiteResult['contenders'] = {};
  for (const c of contenders) {
    const r = results[c.name];
    summary[c.name] = {
      publishEventsPerSec: metric(
        r.map((x) => x.publishPerSec),
        'events/s',
      ),
      endToEndEventsPerSec: metric(
        r.map((x) => x.endToEndPerSec),
        'events/s',
      ),
      latencyP50Ms: metric(
        r.map((x) => x.p50Ms),
        'ms',
      ),
      latencyP99Ms: metric(
        r.map((x) => x.p99Ms),
        'ms',
      ),
    };
  }
  const ratios = contenders.slice(1).flatMap((c) => [
    ratio(
      c.name,
      'publish events/s',
      ratiosPerRound(results, ours, c.name, (x) => x.publishPerSec),
    ),
    ratio(
      c.name,
      'end-to-end events/s',
      ratiosPerRound(results, ours, c.name, (x) => x.endToEndPerSec),
      c.endToEndTarget,
    ),
  ]);
  printMetrics(summary, ['publishEventsPerSec', 'endToEndEventsPerSec', 'latencyP50Ms', 'latencyP99Ms']);
  console.log('');
  printRatios(ratios);
  console.log('');
  printTable(
    ['contender', 'how it publishes and consumes'],
    contenders.map((c) => [c.name, c.describe]),
  );
  const file = writeResult({
    suite: spec.suite,
    title: spec.title,
    date: new Date().toISOString(),
    machine: machineInfo(),
    config: {
      events: count,
      aggregates: 500,
      payloadBytes: payloadBytes(events[0]),
      publishListSize: PUBLISH_LIST_SIZE,
      consumerConcurrency: CONSUMER_CONCURRENCY,
      rounds,
      warmupRounds: 1,
      warmupEvents,
      latency: {
        offeredEventsPerSec: rate,
        seconds: latencySeconds,
        events: latencyEvents.length,
        measured: 'publish call → handler start, same process',
      },
      publishOnly: 'lists awaited one after another, no consumer running',
      endToEnd: 'consumer started first; timer from the first publish until the handler saw every event',
      order: contenders.map((c) => c.name),
      howDriven: Object.fromEntries(contenders.map((c) => [c.name, c.describe])),
    },
    notes: ['producer and consumer run in the same process, each against fresh broker resources deleted afterwards'],
    contenders: summary,
    ratios,
  });
  console.log(`\nwrote ${file}`);
  return 'done';
}

function fmt(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}
