import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { machineInfo, metric, ratio, writeResult, type SuiteResult } from '../harness/results.js';
import { envInt, ratiosPerRound, runRounds, type Contender } from '../harness/rounds.js';
import type { BenchSuite } from '../harness/suite.js';
import { banner, printMetrics, printRatios } from '../harness/table.js';
import { CONTENDER_FACTORIES } from '../in-process/contenders.js';

const run = promisify(execFile);
const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'memory', 'child.ts');
const MB = 1024 * 1024;

interface ChildReport {
  name: string;
  baselineRss: number;
  rssAfter: number[];
  heapAfter: number[];
  /** Peak RSS of each run (VmHWM reset before the run), or the process peak when unsupported. */
  peaks: number[];
  perRunPeak: boolean;
}

interface PassMetrics {
  name: string;
  peakMb: number;
  peakAboveBaselineMb: number;
  rssAfter1Mb: number;
  rssAfterLastMb: number;
  rssGrowthMb: number;
  heapGrowthMb: number;
}

async function measure(key: string, count: number, runs: number): Promise<PassMetrics> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--import', '@swc-node/register/esm-register', CHILD, key, String(count), String(runs)],
    {
      maxBuffer: 16 * MB,
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const report = JSON.parse(stdout.trim().split('\n').pop() as string) as ChildReport;
  const last = report.rssAfter.length - 1;
  if (!report.perRunPeak) console.log('  (per-run peak unavailable: using the process-wide maxRSS, which includes building the events)');
  const peak = Math.max(...report.peaks);
  return {
    name: report.name,
    peakMb: peak / MB,
    peakAboveBaselineMb: (peak - report.baselineRss) / MB,
    rssAfter1Mb: report.rssAfter[0] / MB,
    rssAfterLastMb: report.rssAfter[last] / MB,
    rssGrowthMb: (report.rssAfter[last] - report.rssAfter[0]) / MB,
    heapGrowthMb: (report.heapAfter[last] - report.heapAfter[0]) / MB,
  };
}

export const memorySuite: BenchSuite = {
  name: 'memory',
  title: 'Memory: peak RSS of a 100k-event in-process run, and RSS after 10 runs vs after 1',
  async run() {
    const count = envInt('BENCH_MEMORY_EVENTS', 100_000);
    const runs = envInt('BENCH_MEMORY_RUNS', 10);
    const rounds = envInt('BENCH_MEMORY_ROUNDS', 5);
    banner(
      `memory: ${count.toLocaleString('en-US')} events per run, ${runs} runs per process, ${rounds} processes per contender (alternating)`,
    );
    const keys = Object.keys(CONTENDER_FACTORIES);
    const names: Record<string, string> = {};
    const contenders: Contender<PassMetrics>[] = keys.map((key) => ({
      name: key,
      run: async () => {
        const m = await measure(key, count, runs);
        names[key] = m.name;
        return m;
      },
    }));
    const results = await runRounds(contenders, {
      rounds,
      warmupRounds: 0,
      onPass: (round, key, m) => {
        const p = m as PassMetrics;
        console.log(
          `  round ${round}  ${key.padEnd(10)} peak ${p.peakMb.toFixed(0)} MB (+${p.peakAboveBaselineMb.toFixed(0)}), RSS after 1: ${p.rssAfter1Mb.toFixed(0)} MB, after ${runs}: ${p.rssAfterLastMb.toFixed(0)} MB`,
        );
      },
    });
    const summary: SuiteResult['contenders'] = {};
    for (const key of keys) {
      const r = results[key];
      summary[names[key]] = {
        peakRssMb: metric(
          r.map((x) => x.peakMb),
          'MB',
        ),
        peakAboveBaselineMb: metric(
          r.map((x) => x.peakAboveBaselineMb),
          'MB',
        ),
        rssAfter1Mb: metric(
          r.map((x) => x.rssAfter1Mb),
          'MB',
        ),
        [`rssAfter${runs}Mb`]: metric(
          r.map((x) => x.rssAfterLastMb),
          'MB',
        ),
        rssGrowthMb: metric(
          r.map((x) => x.rssGrowthMb),
          'MB',
        ),
        heapGrowthMb: metric(
          r.map((x) => x.heapGrowthMb),
          'MB',
        ),
      };
    }
    // Lower memory is better, so the ratio is competitor / ours (higher still favours ours).
    const ratios = keys.slice(1, -1).map((key) =>
      ratio(
        names[key],
        'peak RSS above baseline, competitor/ours',
        ratiosPerRound(results, key, 'ours', (x) => x.peakAboveBaselineMb),
      ),
    );
    printMetrics(summary, ['peakRssMb', 'peakAboveBaselineMb', 'rssGrowthMb', 'heapGrowthMb']);
    console.log('');
    printRatios(ratios);
    const oursGrowth = summary[names.ours].heapGrowthMb.median;
    console.log(`\nheap growth of ours between run 1 and run ${runs} (median): ${oursGrowth.toFixed(2)} MB`);
    const file = writeResult({
      suite: 'memory',
      title: this.title,
      date: new Date().toISOString(),
      machine: machineInfo(),
      config: {
        eventsPerRun: count,
        runsPerProcess: runs,
        processesPerContender: rounds,
        how: 'each contender runs in its own fresh process (node --expose-gc); baseline = RSS after setup and event creation, after a forced GC; peak = highest per-run VmHWM (reset through /proc/self/clear_refs before each run); RSS/heap read after a forced GC following each run',
      },
      notes: ['baseline includes the 100k pre-built event objects (the same for every contender)'],
      contenders: summary,
      ratios,
    });
    console.log(`\nwrote ${file}`);
    return 'done';
  },
};
