import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, type Summary } from './stats.js';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

export interface MetricSummary extends Summary {
  unit: string;
  samples: number[];
}

export interface RatioResult {
  /** e.g. '@nestjs/cqrs EventBus' */
  competitor: string;
  metric: string;
  /** ours / competitor, one per round (higher is better for ours). */
  perRound: number[];
  median: number;
  min: number;
  max: number;
  /** Minimum acceptable median ratio, when the suite sets one. */
  target?: number;
  met?: boolean;
}

export interface SuiteResult {
  suite: string;
  title: string;
  date: string;
  machine: MachineInfo;
  /** How the numbers were produced: counts, batch sizes, rounds, what is timed. */
  config: Record<string, unknown>;
  notes: string[];
  /** contender → metric → summary over the measured rounds */
  contenders: Record<string, Record<string, MetricSummary>>;
  ratios: RatioResult[];
  extra?: Record<string, unknown>;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1/5/15-minute load averages when the suite finished: anything near or above `cpus` means a busy machine. */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${type()} ${release()}`,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function metric(samples: number[], unit: string): MetricSummary {
  return { ...summarize(samples), unit, samples };
}

export function ratio(competitor: string, metricName: string, perRound: number[], target?: number): RatioResult {
  const s = summarize(perRound);
  const result: RatioResult = { competitor, metric: metricName, perRound, median: s.median, min: s.min, max: s.max };
  if (target !== undefined) {
    result.target = target;
    result.met = s.median >= target;
  }
  return result;
}

export function writeResult(result: SuiteResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${result.suite}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function readAllResults(): SuiteResult[] {
  let names: string[];
  try {
    names = readdirSync(RESULTS_DIR).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((n) => JSON.parse(readFileSync(join(RESULTS_DIR, n), 'utf8')) as SuiteResult)
    .filter((r) => Array.isArray(r.ratios)); // durability.json has no ratios
}
