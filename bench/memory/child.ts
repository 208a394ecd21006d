import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { makeEvents } from '../harness/events.js';
import { CONTENDER_FACTORIES } from '../in-process/contenders.js';
import { resetSink } from '../in-process/sink.js';

/**
 * One contender in a fresh process: `runs` passes over the same events, a forced GC and an RSS
 * reading after each. The peak of each run comes from Linux's VmHWM, reset before the run
 * (clear_refs 5), so building the events does not count; elsewhere the process-wide maxRSS
 * is the fallback. Prints one JSON line.
 */
const [key, countArg, runsArg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memory child needs --expose-gc');
const factory = CONTENDER_FACTORIES[key];
if (!factory) throw new Error(`unknown contender '${key}'`);
const contender = factory();
await contender.setup();
const events = makeEvents(Number(countArg));
gc();
const baselineRss = process.memoryUsage().rss;
const rssAfter: number[] = [];
const heapAfter: number[] = [];
const peaks: number[] = [];
const perRunPeak = resetPeak();
for (let run = 0; run < Number(runsArg); run++) {
  resetSink();
  if (perRunPeak) resetPeak();
  await contender.deliver(events);
  peaks.push(perRunPeak ? readPeak() : process.resourceUsage().maxRSS * 1024);
  gc();
  const usage = process.memoryUsage();
  rssAfter.push(usage.rss);
  heapAfter.push(usage.heapUsed);
}
await contender.teardown();
console.log(JSON.stringify({ name: contender.name, baselineRss, rssAfter, heapAfter, peaks, perRunPeak }));

function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return readPeak() > 0;
  } catch {
    return false;
  }
}

function readPeak(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}
