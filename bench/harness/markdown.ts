import type { SuiteResult } from './results.js';
import { formatNumber } from './table.js';

/** Markdown tables of one suite's result file, for docs/benchmarks.md (numbers copied, never typed). */
export function suiteMarkdown(r: SuiteResult): string {
  const metrics = [...new Set(Object.values(r.contenders).flatMap((m) => Object.keys(m)))];
  const out: string[] = [
    `### ${r.suite}: ${r.title}`,
    '',
    `Run ${r.date.slice(0, 16).replace('T', ' ')} UTC, load average ${r.machine.loadAverage?.join(' / ') ?? 'n/a'} on ${r.machine.cpus} CPUs.`,
    '',
  ];
  out.push(`| contender | ${metrics.map((m) => `${m} (median; min – max)`).join(' | ')} |`);
  out.push(`|---|${metrics.map(() => '---:').join('|')}|`);
  for (const [name, values] of Object.entries(r.contenders)) {
    const cells = metrics.map((m) => {
      const v = values[m];
      return v ? `${formatNumber(v.median)} ${v.unit} (${formatNumber(v.min)} – ${formatNumber(v.max)})` : '—';
    });
    out.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  if (r.ratios.length > 0) {
    out.push('', '| ours / competitor | metric | per round | median | min – max | target |', '|---|---|---|---:|---:|---|');
    for (const x of r.ratios) {
      const target = x.target === undefined ? '—' : `≥ ${x.target.toFixed(2)}× (${x.met ? 'met' : '**missed**'})`;
      out.push(
        `| ${x.competitor} | ${x.metric} | ${x.perRound.map((p) => p.toFixed(2)).join(' ')} | ${x.median.toFixed(2)}× | ${x.min.toFixed(2)} – ${x.max.toFixed(2)} | ${target} |`,
      );
    }
  }
  return out.join('\n');
}
