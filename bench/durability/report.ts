import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeGeneratedSection } from '../harness/doc-section.js';
import { RESULTS_DIR, type MachineInfo } from '../harness/results.js';
import type { ScenarioResult } from './run.js';

export interface DurabilityReport {
  suite: 'durability';
  date: string;
  machine: MachineInfo;
  config: { events: number; aggregates: number; ratePerSec: number; cutMs: number; retryBaseDelayMs: number; strict: boolean };
  results: ScenarioResult[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The results section of docs/durability.md, from a run's numbers (never typed by hand). */
export function durabilityMarkdown(report: DurabilityReport): string {
  const { machine, config, results } = report;
  const load = machine.loadAverage?.map((l) => l.toFixed(2)).join(' / ') ?? 'n/a';
  return [
    `Run ${report.date.slice(0, 16).replace('T', ' ')} UTC on ${machine.cpus} CPUs (${machine.cpuModel}), Node.js ${machine.node}; ` +
      `load average at the end ${load}. ${fmt(config.events)} events per scenario over ${fmt(config.aggregates)} aggregates, ` +
      `offered at ${fmt(config.ratePerSec)}/s. Written by \`npm run durability\` from \`bench/results/durability.json\`; ` +
      `exit code ${results.every((r) => r.ok) ? 0 : 1}.`,
    '',
    '| broker | scenario | published | acked | garbage | handled | dupes | lost | DLQ | DLQ expected | order viol. | wall s | result |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map(
      (r) =>
        `| ${r.broker} | ${r.scenario} | ${fmt(r.published)} | ${fmt(r.acknowledged)} | ${fmt(r.garbageInjected)} | ${fmt(r.handled)} | ` +
        `${fmt(r.duplicates)} | ${fmt(r.lost)} | ${fmt(r.deadLettered)} | ${fmt(r.expectedDeadLetters)} | ` +
        `${r.orderViolations}${r.orderRequired ? '' : ' (allowed)'} | ${r.wallSeconds.toFixed(1)} | ${r.ok ? 'OK' : '**FAILED**'} |`,
    ),
    '',
    "What the consumer's own stats and the proxy saw in the fault scenarios (same run):",
    '',
    '| broker | scenario | fault | proxy connections | consumer `reconnections` | consumer `messagesRecovered` | publish retries |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...results
      .filter((r) => r.scenario === 'consumer-killed' || r.scenario === 'connection-cut')
      .map(
        (r) =>
          `| ${r.broker} | ${r.scenario} | ${r.fault} | ${r.proxyConnections} | ${String((r.consumerStats.reconnections as number | undefined) ?? '—')} | ` +
          `${String((r.consumerStats.messagesRecovered as number | undefined) ?? '—')} | ${r.publishRetries} |`,
      ),
  ].join('\n');
}

// Run directly: rewrite docs/durability.md from the last results file.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = JSON.parse(readFileSync(join(RESULTS_DIR, 'durability.json'), 'utf8')) as DurabilityReport;
  console.log(`wrote ${writeGeneratedSection('durability.md', 'results', durabilityMarkdown(report))}`);
}
