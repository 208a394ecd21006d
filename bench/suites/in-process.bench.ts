import { makeEvents, payloadBytes } from '../harness/events.js';
import { machineInfo, metric, ratio, writeResult, type SuiteResult } from '../harness/results.js';
import { collectGc, envInt, ratiosPerRound, runRounds, type Contender } from '../harness/rounds.js';
import { median } from '../harness/stats.js';
import type { BenchSuite } from '../harness/suite.js';
import { banner, printMetrics, printRatios, printTable } from '../harness/table.js';
import type { InProcessContender } from '../in-process/contender.js';
import { PUBLISH_LIST_SIZE } from '../in-process/contender.js';
import { cqrsContender } from '../in-process/cqrs.contender.js';
import { eventEmitterContender } from '../in-process/event-emitter.contender.js';
import { oursContender } from '../in-process/ours.contender.js';
import { plainLoopContender } from '../in-process/plain-loop.contender.js';
import { HANDLERS_PER_EVENT, resetSink, sink } from '../in-process/sink.js';

interface PassMetrics {
  seconds: number;
  eventsPerSec: number;
  callsPerSec: number;
}

const TARGETS: Record<string, number> = { '@nestjs/cqrs EventBus': 1.5, '@nestjs/event-emitter emitAsync': 1.0 };

export const inProcessSuite: BenchSuite = {
  name: 'in-process',
  title: 'In-process dispatch: InMemoryEventBus vs @nestjs/cqrs vs @nestjs/event-emitter vs a plain loop',
  async run() {
    const count = envInt('BENCH_EVENTS', 200_000);
    const rounds = envInt('BENCH_ROUNDS', 7);
    const warmupRounds = envInt('BENCH_WARMUP', 1);
    banner(
      `in-process: ${count.toLocaleString('en-US')} events × ${HANDLERS_PER_EVENT} handlers, ${rounds} rounds + ${warmupRounds} warm-up`,
    );
    const events = makeEvents(count);
    const contenders: InProcessContender[] = [
      oursContender(),
      cqrsContender(),
      eventEmitterContender('sequential'),
      eventEmitterContender('perList'),
      plainLoopContender(),
    ];
    for (const c of contenders) await c.setup();
    const passes: Contender<PassMetrics>[] = contenders.map((c) => ({
      name: c.name,
      async run() {
        resetSink();
        const start = performance.now();
        await c.deliver(events);
        const seconds = (performance.now() - start) / 1000;
        const expected = count * HANDLERS_PER_EVENT;
        if (sink.calls !== expected) throw new Error(`${c.name}: ${sink.calls} handler calls, expected ${expected}`);
        return { seconds, eventsPerSec: count / seconds, callsPerSec: expected / seconds };
      },
    }));
    const results = await runRounds(passes, {
      rounds,
      warmupRounds,
      between: collectGc,
      onPass: (round, name, m, warmup) =>
        console.log(
          `  ${warmup ? 'warm-up' : `round ${round}`}  ${name.padEnd(48)} ${Math.round((m as PassMetrics).eventsPerSec).toLocaleString('en-US')} events/s`,
        ),
    });
    for (const c of contenders) await c.teardown();

    const ours = contenders[0].name;
    const floor = contenders[contenders.length - 1].name;
    const summary: SuiteResult['contenders'] = {};
    for (const c of contenders) {
      const r = results[c.name];
      summary[c.name] = {
        eventsPerSec: metric(
          r.map((x) => x.eventsPerSec),
          'events/s',
        ),
        handlerCallsPerSec: metric(
          r.map((x) => x.callsPerSec),
          'calls/s',
        ),
        overheadNsPerEvent: metric(
          r.map((x, i) => ((x.seconds - results[floor][i].seconds) / count) * 1e9),
          'ns/event',
        ),
      };
    }
    const ratios = contenders.slice(1, -1).map((c) =>
      ratio(
        c.name,
        'events/s',
        ratiosPerRound(results, ours, c.name, (x) => x.eventsPerSec),
        TARGETS[c.name],
      ),
    );

    printMetrics(summary, ['eventsPerSec', 'handlerCallsPerSec', 'overheadNsPerEvent']);
    console.log('');
    printRatios(ratios);
    console.log('');
    printTable(
      ['contender', 'how it is driven (timer: first publish → last handler settled)'],
      contenders.map((c) => [c.name, c.describe]),
    );
    const file = writeResult({
      suite: 'in-process',
      title: this.title,
      date: new Date().toISOString(),
      machine: machineInfo(),
      config: {
        events: count,
        distinctAggregates: 1000,
        payloadBytes: payloadBytes(events[0]),
        handlersPerEvent: HANDLERS_PER_EVENT,
        handlers: 'one async (awaits once, then works), one sync, one wildcard; each adds to a checksum',
        publishListSize: PUBLISH_LIST_SIZE,
        rounds,
        warmupRounds,
        order: contenders.map((c) => c.name),
        gcBetweenPasses: typeof (globalThis as { gc?: unknown }).gc === 'function',
        howDriven: Object.fromEntries(contenders.map((c) => [c.name, c.describe])),
      },
      notes: [
        'overheadNsPerEvent = (contender seconds − plain-loop seconds in the same round) / events × 1e9',
        `median overhead of ours: ${median(summary[ours].overheadNsPerEvent.samples).toFixed(0)} ns/event`,
      ],
      contenders: summary,
      ratios,
    });
    console.log(`\nwrote ${file}`);
    return 'done';
  },
};
